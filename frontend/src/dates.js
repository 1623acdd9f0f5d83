// One date and time format: "29 Nov 2026, 17:05 UTC" in the browser's time zone, which it
// names ("EST", "GMT+1"), so that a time read aloud or shared is never ambiguous.

import { html } from "./html.js";

// en-US for the month and the zone's name (US zones by their letters, others as GMT+n).
const DAY_AND_ZONE = new Intl.DateTimeFormat("en-US", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZoneName: "short",
});
const TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

export function formatDateTime(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const part = Object.fromEntries(DAY_AND_ZONE.formatToParts(date).map(({ type, value: text }) => [type, text]));
  return `${part.day} ${part.month} ${part.year}, ${TIME.format(date)} ${part.timeZoneName}`;
}

/** A <time> element, or a dash (with class `noneClass`) when there is no value. */
export function timeOrDash(value, noneClass) {
  return value
    ? html`<time datetime="${value}">${formatDateTime(value)}</time>`
    : html`<span class="${noneClass}">—</span>`;
}

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "in 2 days", "3 hours ago", "just now": the largest unit that fits, rounded down. */
export function relativeTime(value, now = Date.now()) {
  const seconds = (new Date(value).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

/** A <time> that says how long ago or ahead, with the exact time on hover. */
export function relativeTimeElement(value, now = Date.now()) {
  const exact = formatDateTime(value);
  return html`<time datetime="${value}" title="${exact}">${relativeTime(value, now)}</time>`;
}
