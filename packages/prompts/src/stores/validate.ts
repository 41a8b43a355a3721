import { ValidationError } from "@ragloom/core";

const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const LABEL = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The implicit label that always points at the highest version. */
export const LATEST = "latest";

/**
 * Checks a prompt name: 1-128 characters of lower-case letters, digits, `.`, `_`, `-`, starting
 * with a letter or digit (safe as a file name on case-insensitive file systems and in Redis keys).
 * @throws ValidationError
 */
export function checkPromptName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !NAME.test(name) || name.includes("..")) {
    throw new ValidationError(
      `invalid prompt name ${JSON.stringify(name)}: use 1-128 lower-case letters, digits, ".", "_", "-"`,
    );
  }
}

/**
 * Checks a label: 1-64 lower-case letters, digits, `.`, `_`, `-`. `latest` is rejected unless
 * `allowLatest` (it is moved automatically and can only be read).
 * @throws ValidationError
 */
export function checkLabel(label: unknown, allowLatest = false): asserts label is string {
  if (typeof label !== "string" || !LABEL.test(label)) {
    throw new ValidationError(
      `invalid label ${JSON.stringify(label)}: use 1-64 lower-case letters, digits, ".", "_", "-"`,
    );
  }
  if (label === LATEST && !allowLatest) {
    throw new ValidationError(`"latest" always follows the newest version and cannot be set or deleted`);
  }
}

/** @throws ValidationError unless `version` is a positive integer. */
export function checkVersion(version: unknown): asserts version is number {
  if (!(typeof version === "number" && Number.isInteger(version) && version >= 1)) {
    throw new ValidationError(`version must be a positive integer, got ${String(version)}`);
  }
}
