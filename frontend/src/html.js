// An auto-escaping `html` tagged template: every interpolated value is escaped unless it
// is itself the result of `html` (or a list of them). Markup never comes from data.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export class SafeHtml {
  constructor(markup) {
    this.markup = markup;
  }
  toString() {
    return this.markup;
  }
}

export function escape(value) {
  return String(value).replace(/[&<>"'`]/g, (char) => ESCAPES[char]);
}

function fragment(value) {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(fragment).join("");
  return escape(value);
}

export function html(strings, ...values) {
  let markup = strings[0];
  values.forEach((value, index) => {
    markup += fragment(value) + strings[index + 1];
  });
  return new SafeHtml(markup);
}

/** Replace the children of `target` with the (already escaped) template. */
export function render(target, template) {
  if (!(template instanceof SafeHtml)) throw new TypeError("render() takes an html`` template");
  const holder = document.createElement("template");
  holder.innerHTML = template.markup; // safe: SafeHtml escaped every value
  target.replaceChildren(holder.content);
}
