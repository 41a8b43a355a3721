import Mustache from "mustache";

const isObject = (v: unknown): v is object =>
  v !== null && (typeof v === "object" || typeof v === "function");

/** Own property; a primitive has its wrapper's own properties (`"abc".length`) only in dotted names. */
function hasOwn(value: unknown, key: string, dotted: boolean): boolean {
  if (isObject(value)) return Object.hasOwn(value, key);
  return dotted && value !== null && value !== undefined && Object.hasOwn(Object(value), key);
}

/**
 * A mustache rendering context that resolves names through own properties only. Mustache's own
 * `Context.lookup` uses `in`, so `{{constructor}}`, `{{toString}}` or `{{__proto__}}` find
 * `Object.prototype` members and render `[object Object]`; here they are missing (empty), at the
 * top level, in dotted names (`{{user.constructor}}`) and inside sections alike. Otherwise the
 * lookup is mustache's: dotted names descend, a miss falls back to the enclosing context,
 * `{{.}}` is the current item, and function values are called with the view (lambdas).
 */
export class OwnPropertyContext extends Mustache.Context {
  override push(view: unknown): OwnPropertyContext {
    return new OwnPropertyContext(view, this);
  }

  override lookup(name: string): unknown {
    let value: unknown;
    if (name === ".") value = this.view;
    else {
      const names = name.split(".");
      for (let context: Mustache.Context | undefined = this; context; context = context.parent) {
        let current: unknown = context.view;
        let hit = false;
        for (let k = 0; k < names.length; k++) {
          hit = hasOwn(current, names[k]!, names.length > 1);
          if (!hit) break;
          current = (current as Record<string, unknown>)[names[k]!];
        }
        if (hit) {
          value = current;
          break;
        }
      }
    }
    return typeof value === "function" ? (value as () => unknown).call(this.view) : value;
  }
}
