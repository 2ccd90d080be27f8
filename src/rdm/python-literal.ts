import { BadInput } from '../errors/domain.js';

/** Deepest nesting of dicts and lists parsePythonLiteral accepts. */
export const PYTHON_LITERAL_MAX_DEPTH = 32;

/**
 * Parses a Python literal as `repr()` of a dict prints it: dicts, lists, strings in single or
 * double quotes (optionally `u`/`r` prefixed, as Python 2 printed them), ints, floats,
 * True/False/None. Nothing is evaluated: anything else (names, calls, operators, tuples, sets)
 * throws BadInput saying where. Dict keys must be strings (they become JSON object keys).
 */
export function parsePythonLiteral(text: string): unknown {
  const parser = new Parser(text);
  const value = parser.value(1);
  parser.skipSpace();
  if (!parser.atEnd()) throw parser.fail('unexpected text after the value');
  return value;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\n': '',
};

const NUMBER = /[-+]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][-+]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPACE = /[ \t\r\n]*/y;

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  fail(problem: string): BadInput {
    return new BadInput(`filter is not a valid Python literal: ${problem} at character ${this.at + 1}`, { at: this.at + 1 });
  }

  skipSpace(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.text);
    this.at = SPACE.lastIndex;
  }

  value(depth: number): unknown {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '{' || c === '[') {
      if (depth > PYTHON_LITERAL_MAX_DEPTH) throw this.fail(`nesting deeper than ${PYTHON_LITERAL_MAX_DEPTH} levels`);
      return c === '{' ? this.dict(depth) : this.list(depth);
    }
    if (c === "'" || c === '"') return this.string(false);
    if (c !== undefined && /[-+.\d]/.test(c)) return this.number();
    WORD.lastIndex = this.at;
    const word = WORD.exec(this.text)?.[0];
    if (word !== undefined) {
      const quote = this.text[this.at + word.length];
      if (/^[uUrR]$/.test(word) && (quote === "'" || quote === '"')) {
        this.at += 1;
        return this.string(word === 'r' || word === 'R');
      }
      const constant = ({ True: true, False: false, None: null } as Record<string, boolean | null>)[word];
      if (constant !== undefined) {
        this.at += word.length;
        return constant;
      }
      throw this.fail(`"${word.slice(0, 40)}" is not a literal (only True, False and None are)`);
    }
    throw this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
  }

  private dict(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.items('}', () => {
      const key = this.value(depth + 1);
      if (typeof key !== 'string') throw this.fail('dict keys must be strings');
      this.skipSpace();
      if (this.text[this.at] !== ':') throw this.fail('expected ":"');
      this.at++;
      // defineProperty: a "__proto__" key is data, not the prototype.
      Object.defineProperty(result, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
    });
    return result;
  }

  private list(depth: number): unknown[] {
    const result: unknown[] = [];
    this.items(']', () => result.push(this.value(depth + 1)));
    return result;
  }

  /** Comma-separated items up to `close` (a trailing comma is allowed, as in Python). */
  private items(close: string, item: () => void): void {
    this.at++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] === close) break;
      item();
      this.skipSpace();
      const c = this.text[this.at];
      if (c === ',') this.at++;
      else if (c !== close) throw this.fail(`expected "," or "${close}"`);
    }
    this.at++;
  }

  private string(raw: boolean): string {
    const quote = this.text[this.at];
    let out = '';
    for (this.at++; ; this.at++) {
      const c = this.text[this.at];
      if (c === undefined || c === '\n') throw this.fail('unterminated string');
      if (c === quote) break;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const next = this.text[this.at + 1] ?? '';
      if (raw) {
        out += c + next;
        this.at++;
      } else {
        out += this.escape(next);
      }
    }
    this.at++;
    return out;
  }

  /** Decodes the escape after a backslash at `at`; leaves `at` on its last character. */
  private escape(next: string): string {
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      this.at++;
      return simple;
    }
    const hex = { x: 2, u: 4, U: 8 }[next];
    if (hex !== undefined) {
      const digits = this.text.slice(this.at + 2, this.at + 2 + hex);
      const code = Number.parseInt(digits, 16);
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex || code > 0x10ffff) throw this.fail(`bad \\${next} escape`);
      this.at += 1 + hex;
      return String.fromCodePoint(code);
    }
    const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.at + 1, this.at + 4))?.[0];
    if (octal) {
      this.at += octal.length;
      return String.fromCharCode(Number.parseInt(octal, 8));
    }
    // Python keeps an unknown escape as written.
    this.at++;
    return `\\${next}`;
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const found = NUMBER.exec(this.text)?.[0];
    if (!found) throw this.fail('bad number');
    this.at += found.length;
    const value = Number(found.replace(/_/g, ''));
    if (!Number.isFinite(value)) throw this.fail('number out of range');
    return value;
  }
}
