// The character rules of free-text request fields, as JSON Schema `pattern`s, in one place so that "no control
// characters" means the same thing in every domain. Each is named after what it lets through.

/**
 * C0 and C1 controls except tab, line feed and carriage return (PostgreSQL text refuses NUL), and the bidirectional
 * embeddings, overrides and isolates that would let a text reorder what is shown around it.
 */
const CONTROLS_BUT_LINE_BREAKS =
  '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';
/** Every C0 and C1 control, tabs and line breaks included, and the same bidirectional characters. */
const ALL_CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';

/** Any script, emoji, tabs and line breaks, no other control character; an empty string passes. */
export const NO_CONTROL_PATTERN = `^[^${CONTROLS_BUT_LINE_BREAKS}]*$`;

/** As NO_CONTROL_PATTERN, and at least one character that is not white space. */
export const TEXT_PATTERN = `^[^${CONTROLS_BUT_LINE_BREAKS}]*[^\\s${CONTROLS_BUT_LINE_BREAKS}][^${CONTROLS_BUT_LINE_BREAKS}]*$`;

/** One line: any script and emoji, no control character at all (tabs and line breaks included). */
export const ONE_LINE_PATTERN = `^[^${ALL_CONTROLS}]*$`;

/**
 * As ONE_LINE_PATTERN, and without the left-to-right and right-to-left marks (U+200E, U+200F) either: for names
 * and titles shown inside other text.
 */
export const ONE_LINE_NO_DIRECTION_MARKS_PATTERN =
  '^[^\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$';

/** Anything a PostgreSQL text column stores: NUL is the one character it refuses (it would be a 500). */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';
