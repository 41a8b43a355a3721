import { decodeText } from "./decode.js";
import { LoaderError } from "./errors.js";
import type { FileLoader, ParsedFile } from "./types.js";

async function importAll() {
  const [linkedom, readability, turndown] = await Promise.all([
    import("linkedom"),
    import("@mozilla/readability"),
    import("turndown"),
  ]);
  // turndown is CommonJS: its class is the module itself or its default export
  const mod = turndown as unknown as { default?: typeof turndown.default };
  return {
    parseHTML: linkedom.parseHTML,
    Readability: readability.Readability,
    TurndownService: (mod.default ?? turndown) as typeof turndown.default,
  };
}
let modules: ReturnType<typeof importAll> | undefined;
const load = () => {
  if (!modules) modules = importAll();
  return modules;
};

const clean = (s: string | null | undefined) => (s ?? "").replace(/\s+/g, " ").trim();

/**
 * Parses an HTML page: @mozilla/readability (the Firefox Reader View algorithm) on a linkedom
 * DOM keeps the main content and drops navigation, footers and other boilerplate; the content is
 * converted to Markdown with turndown (ATX headings, fenced code), so headings survive as
 * chunk boundaries. Pages readability cannot find an article in (short or unusual pages) keep
 * their whole `<body>` minus scripts, styles, `nav`, `header`, `footer` and `aside`.
 * Metadata: `headings` (text of h1–h6 in order), `lang` and `excerpt` when known. The title is
 * readability's, else `<title>`, else the first `<h1>`.
 * @throws LoaderError `parse` when the page has no text.
 */
export async function parseHtml(source: string, path = "<html>"): Promise<ParsedFile> {
  const { parseHTML, Readability, TurndownService } = await load();
  const { document } = parseHTML(source);
  const pageTitle = clean(document.querySelector("title")?.textContent);
  const firstH1 = clean(document.querySelector("h1")?.textContent);
  const lang = document.documentElement?.getAttribute("lang") ?? "";
  // readability mutates the DOM it reads: give it its own copy
  const article = new Readability(parseHTML(source).document as never, {
    charThreshold: 100,
  }).parse();
  let html: string;
  if (article?.content && clean(article.textContent).length > 0) {
    html = article.content;
  } else {
    const body = document.querySelector("body") ?? document.documentElement;
    for (const el of body?.querySelectorAll(
      "script, style, noscript, nav, header, footer, aside, template",
    ) ?? [])
      el.remove();
    html = body?.innerHTML ?? "";
  }
  const content = parseHTML(`<!doctype html><html><body>${html}</body></html>`).document;
  const turndown = new TurndownService({
    headingStyle: "atx",
    codeBlockStyle: "fenced",
    bulletListMarker: "-",
  });
  turndown.remove(["script", "style", "noscript"]);
  let text = turndown.turndown(content.querySelector("body")?.innerHTML ?? html).trim();
  // readability drops the <h1> that repeats the title: put it back as the top heading
  if (firstH1 && !content.querySelector("h1")) text = `# ${firstH1}\n\n${text}`;
  const headings = [
    ...(firstH1 && !content.querySelector("h1") ? [firstH1] : []),
    ...[...content.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => clean(h.textContent)),
  ].filter(Boolean);
  if (text.length === 0) throw new LoaderError(path, "parse", "the page has no text");
  const title = clean(article?.title) || pageTitle || firstH1;
  const result: ParsedFile = { text, metadata: {}, format: "html" };
  if (title) result.title = title;
  if (headings.length > 0) result.metadata.headings = headings;
  if (lang) result.metadata.lang = lang;
  const excerpt = clean(article?.excerpt);
  if (excerpt) result.metadata.excerpt = excerpt.slice(0, 500);
  return result;
}

/** Loads `.html`, `.htm` and `.xhtml` files (UTF-8) with {@link parseHtml}. */
export const htmlLoader: FileLoader = {
  name: "html",
  extensions: [".html", ".htm", ".xhtml"],
  async parse(bytes, path) {
    return parseHtml(decodeText(bytes, path), path);
  },
};
