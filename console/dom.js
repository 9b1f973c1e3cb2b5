/**
 * A tiny element builder: the console's only "framework".
 *
 * @example
 * h("button", { type: "button", onclick: save }, "Save");
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * A labelled input: the label wraps the control so it is always announced with it.
 *
 * @example
 * const app = field("App", { name: "app", required: true });
 * form.append(app.row); app.input.value;
 */
export function field(label, props = {}, tag = "input") {
  const input = h(tag, { autocomplete: "off", spellcheck: false, ...props });
  const row = h("label", { class: "field" }, h("span", { class: "field-label" }, label), input);
  return { row, input };
}

/**
 * A labelled select.
 *
 * @example
 * const kind = select("Kind", ["get", "purchase"]);
 */
export function select(label, options, props = {}) {
  const input = h("select", props, ...options.map((o) => h("option", { value: o }, o)));
  const row = h("label", { class: "field" }, h("span", { class: "field-label" }, label), input);
  return { row, input };
}

/**
 * Replaces an element's children.
 *
 * @example
 * replace(list, rows.map(renderRow));
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * A local clock time, hh:mm:ss.mmm, for logs and "updated at" lines.
 *
 * @example
 * clock(); // "04:38:24.521"
 */
export function clock(ms = Date.now()) {
  const d = new Date(ms);
  return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}
