/** A child of an element made by {@link el}: a node, or a text. */
type Child = Node | string;

/**
 * A new element: `el('button', { class: 'start' }, 'Start')`. Attribute values are set as
 * attributes (strings), children appended in order.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}
