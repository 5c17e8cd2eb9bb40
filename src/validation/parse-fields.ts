/**
 * Parses an object field by field against a declared shape of zod schemas, so that one refused
 * field does not hide the others: every field's value or problem comes back, in the order the
 * shape declares them. Shapes are declared once, at module level; nothing here builds a schema
 * per call.
 */
import type { z } from 'zod';

/** One problem: where it is, and what to do about it. */
export interface Problem {
  /** The field it is about: an environment variable, a body field. */
  readonly path: string;
  readonly message: string;
}

/** A declared object shape: one schema per field. */
export type FieldShape = Readonly<Record<string, z.ZodType>>;

/** What {@link parseFields} found. */
export interface ParsedFields<Values> {
  readonly values: Values;
  /** One entry per issue, its path the field's name, in the shape's order. */
  readonly problems: readonly Problem[];
  /** The fields that were refused. */
  readonly refused: ReadonlySet<string>;
  /** Fields of the input the shape does not declare, in the input's order. */
  readonly unknownFields: readonly string[];
}

/** Each field's value; undefined when refused. */
export type FieldValues<S extends FieldShape> = { readonly [K in keyof S]: z.output<S[K]> | undefined };

/** Each field's value; a refused field has the value it would have if it were absent. */
export type FieldValuesWithDefaults<S extends FieldShape> = { readonly [K in keyof S]: z.output<S[K]> };

function parse(shape: FieldShape, input: Readonly<Record<string, unknown>>, refusedAsAbsent: boolean): ParsedFields<Record<string, unknown>> {
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const problems: Problem[] = [];
  const refused = new Set<string>();
  for (const [field, schema] of Object.entries(shape)) {
    // Own properties only: a missing field is undefined, never something inherited.
    const result = schema.safeParse(Object.hasOwn(input, field) ? input[field] : undefined);
    if (result.success) {
      values[field] = result.data;
      continue;
    }
    refused.add(field);
    for (const issue of result.error.issues) problems.push({ path: field, message: issue.message });
    values[field] = refusedAsAbsent ? schema.parse(undefined) : undefined;
  }
  const unknownFields = Object.keys(input).filter((field) => !Object.hasOwn(shape, field));
  return { values, problems, refused, unknownFields };
}

/** Parses `input`'s fields one by one; never throws. */
export function parseFields<S extends FieldShape>(shape: S, input: Readonly<Record<string, unknown>>): ParsedFields<FieldValues<S>> {
  return parse(shape, input, false) as ParsedFields<FieldValues<S>>;
}

/**
 * Like {@link parseFields}, but a refused field takes the value it has when absent (its
 * default), so rules between fields can still run. Every schema of `shape` must accept
 * `undefined`; one that does not is a programming error and throws.
 */
export function parseFieldsWithDefaults<S extends FieldShape>(shape: S, input: Readonly<Record<string, unknown>>): ParsedFields<FieldValuesWithDefaults<S>> {
  return parse(shape, input, true) as ParsedFields<FieldValuesWithDefaults<S>>;
}
