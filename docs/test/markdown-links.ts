// The links of a Markdown page and the anchors of its headings, read as VitePress reads them, for
// the test that every page's links also resolve on GitHub (relative, to files that exist).

/** One `[text](target)` link or `[label]: target` definition, with its line. */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/** The lines of a page with fenced code blocks blanked (their text is not Markdown). */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split(/\r?\n/).map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker;
      return '';
    }
    if (fence !== undefined) {
      if (marker?.startsWith(fence) === true) fence = undefined;
      return '';
    }
    return line;
  });
}

/** Inline code spans blanked: `[a](b)` inside backticks is not a link. */
function withoutCode(line: string): string {
  return line.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));
}

/**
 * The links of a page outside code: inline links and images (`[text](target "title")`, also
 * across a line break inside the text) and reference definitions (`[label]: target`).
 */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const lines = proseLines(markdown).map(withoutCode);
  const links: MarkdownLink[] = [];
  lines.forEach((line, index) => {
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(line);
    if (definition?.[1] !== undefined) links.push({ target: definition[1], line: index + 1 });
    for (const match of line.matchAll(
      /\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(?:\s+["'][^"']*["'])?\s*\)/g,
    )) {
      if (match[1] !== undefined && match[1] !== '') {
        links.push({ target: match[1], line: index + 1 });
      }
    }
  });
  return links;
}

// eslint-disable-next-line no-control-regex -- VitePress's own pattern: it drops control characters
const rControl = /[\u0000-\u001f]/g;
const rSpecial = /[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g;
const rCombining = /[\u0300-\u036F]/g;

/** VitePress's heading slug (`@mdit-vue/shared`'s `slugify`, which VitePress 1.6 uses). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(rCombining, '')
    .replace(rControl, '')
    .replace(rSpecial, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();
}

/** A heading's text as markdown-it-anchor sees it: its text and code, without link targets or tags. */
function headingText(source: string): string {
  return source
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`+/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!])/g, '$1')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .trim();
}

/** The anchors of a page's headings: `{#custom}` ids, else slugs made unique with `-1`, `-2`. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const body = markdown.replace(/^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/, '');
  for (const line of proseLines(body)) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const custom = /\s*\{#([^}\s]+)\}$/.exec(heading);
    if (custom?.[1] !== undefined) {
      anchors.add(custom[1]);
      continue;
    }
    const slug = slugify(headingText(heading));
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${String(n)}`;
    anchors.add(unique);
  }
  return anchors;
}
