import type { Heading, Root, RootContent, Yaml } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { frontmatterFromMarkdown } from "mdast-util-frontmatter";
import { frontmatter } from "micromark-extension-frontmatter";
import { parse as parseYaml } from "yaml";
import { decodeText } from "./decode.js";
import { LoaderError } from "./errors.js";
import { flattenMetadata } from "./metadata.js";
import type { FileLoader, ParsedFile } from "./types.js";

/** A Markdown heading with its level (1–6) and the offset of its line in the text. */
export interface MarkdownHeading {
  depth: number;
  text: string;
  /** Offset of the heading's first character (UTF-16 code units). */
  start: number;
  /** Offset one past the heading's last character. */
  end: number;
}

/** Parses Markdown (CommonMark) into an mdast tree with YAML front matter. */
export function parseMarkdownTree(text: string): Root {
  return fromMarkdown(text, {
    extensions: [frontmatter(["yaml"])],
    mdastExtensions: [frontmatterFromMarkdown(["yaml"])],
  });
}

function plainText(node: RootContent | Heading): string {
  if ("value" in node && typeof node.value === "string") return node.value;
  if ("children" in node) return (node.children as RootContent[]).map(plainText).join("");
  return "";
}

/** The headings of a Markdown text, in order (headings inside code blocks are not headings). */
export function markdownHeadings(text: string, tree: Root = parseMarkdownTree(text)): MarkdownHeading[] {
  const out: MarkdownHeading[] = [];
  for (const node of tree.children) {
    if (node.type === "heading")
      out.push({
        depth: node.depth,
        text: plainText(node).trim(),
        start: node.position?.start.offset ?? 0,
        end: node.position?.end.offset ?? 0,
      });
  }
  return out;
}

/**
 * Parses a Markdown text: YAML front matter becomes metadata (see {@link flattenMetadata}) and
 * is removed from the text; the body keeps its headings. The title is front matter `title`,
 * else the first level-1 heading, else the first heading.
 * @throws LoaderError `parse` for invalid YAML front matter.
 */
export function parseMarkdown(source: string, path = "<markdown>"): ParsedFile {
  const tree = parseMarkdownTree(source);
  let text = source;
  let metadata = {};
  const first = tree.children[0];
  if (first?.type === "yaml") {
    const yaml = first as Yaml;
    let data: unknown;
    try {
      data = parseYaml(yaml.value, { customTags: ["timestamp"] });
    } catch (cause) {
      throw new LoaderError(path, "parse", `invalid YAML front matter: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (data && typeof data === "object" && !Array.isArray(data))
      metadata = flattenMetadata(data as Record<string, unknown>);
    text = source.slice(yaml.position?.end.offset ?? 0).replace(/^\r?\n/, "");
  }
  const headings = markdownHeadings(text);
  const fm = metadata as Record<string, unknown>;
  const title =
    (typeof fm.title === "string" && fm.title.trim()) ||
    headings.find((h) => h.depth === 1)?.text ||
    headings[0]?.text ||
    undefined;
  const result: ParsedFile = { text, metadata, format: "markdown" };
  if (title) result.title = title;
  if (headings.length > 0) result.metadata.headings = headings.map((h) => h.text).filter(Boolean);
  if ((result.metadata.headings as string[] | undefined)?.length === 0) delete result.metadata.headings;
  return result;
}

/** Loads `.md`, `.markdown` and `.mdx` files (UTF-8) with {@link parseMarkdown}. */
export const markdownLoader: FileLoader = {
  name: "markdown",
  extensions: [".md", ".markdown", ".mdx"],
  async parse(bytes, path) {
    return parseMarkdown(decodeText(bytes, path), path);
  },
};
