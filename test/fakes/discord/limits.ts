/**
 * The documented size limits Discord enforces on messages and command registrations, checked the
 * way Discord answers them: HTTP 400 with code 50035 "Invalid Form Body" and a path-keyed
 * `errors` tree, or 50006 for an empty message. A fake that accepted anything would hide bugs.
 */

/** One Discord form error: where, and what. */
export interface FormProblem {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** The body Discord sends with HTTP 400 for an invalid form. */
export function invalidFormBody(problems: readonly FormProblem[]): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  for (const problem of problems) {
    let node = errors;
    for (const segment of problem.path.split('.')) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
    node['_errors'] = [{ code: problem.code, message: problem.message }];
  }
  return { message: 'Invalid Form Body', code: 50035, errors };
}

function tooLong(path: string, value: unknown, max: number, problems: FormProblem[]): void {
  if (typeof value === 'string' && [...value].length > max) {
    problems.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
  }
}

function tooMany(path: string, value: unknown, max: number, problems: FormProblem[]): void {
  if (Array.isArray(value) && value.length > max) {
    problems.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
  }
}

function asRecords(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : [];
}

/** Problems with a message create/edit body: content, embeds and components limits. */
export function messageProblems(body: Record<string, unknown>): FormProblem[] {
  const problems: FormProblem[] = [];
  tooLong('content', body['content'], 2000, problems);
  tooMany('embeds', body['embeds'], 10, problems);
  let embedTotal = 0;
  asRecords(body['embeds']).forEach((embed, index) => {
    const at = `embeds.${index}`;
    tooLong(`${at}.title`, embed['title'], 256, problems);
    tooLong(`${at}.description`, embed['description'], 4096, problems);
    tooMany(`${at}.fields`, embed['fields'], 25, problems);
    const footer = embed['footer'] as Record<string, unknown> | undefined;
    tooLong(`${at}.footer.text`, footer?.['text'], 2048, problems);
    const author = embed['author'] as Record<string, unknown> | undefined;
    tooLong(`${at}.author.name`, author?.['name'], 256, problems);
    for (const text of [embed['title'], embed['description'], footer?.['text'], author?.['name']]) {
      if (typeof text === 'string') embedTotal += [...text].length;
    }
    asRecords(embed['fields']).forEach((field, fieldIndex) => {
      tooLong(`${at}.fields.${fieldIndex}.name`, field['name'], 256, problems);
      tooLong(`${at}.fields.${fieldIndex}.value`, field['value'], 1024, problems);
      if (typeof field['name'] !== 'string' || field['name'] === '' || typeof field['value'] !== 'string' || field['value'] === '') {
        problems.push({ path: `${at}.fields.${fieldIndex}`, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
      }
      for (const text of [field['name'], field['value']]) if (typeof text === 'string') embedTotal += [...text].length;
    });
  });
  if (embedTotal > 6000) problems.push({ path: 'embeds', code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' });
  tooMany('components', body['components'], 5, problems);
  asRecords(body['components']).forEach((row, rowIndex) => {
    tooMany(`components.${rowIndex}.components`, row['components'], 5, problems);
    asRecords(row['components']).forEach((component, index) => {
      const at = `components.${rowIndex}.components.${index}`;
      tooLong(`${at}.custom_id`, component['custom_id'], 100, problems);
      tooLong(`${at}.label`, component['label'], 80, problems);
    });
  });
  return problems;
}

/** Whether a message body would leave the message with nothing to show (Discord code 50006). */
export function isEmptyMessage(body: Record<string, unknown>): boolean {
  const content = typeof body['content'] === 'string' ? body['content'] : '';
  const embeds = Array.isArray(body['embeds']) ? body['embeds'] : [];
  const components = Array.isArray(body['components']) ? body['components'] : [];
  return content.trim() === '' && embeds.length === 0 && components.length === 0;
}

const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function optionProblems(options: unknown, at: string, problems: FormProblem[]): void {
  tooMany(at, options, 25, problems);
  asRecords(options).forEach((option, index) => {
    const here = `${at}.${index}`;
    if (typeof option['name'] !== 'string' || !COMMAND_NAME.test(option['name']) || option['name'] !== option['name'].toLowerCase()) {
      problems.push({ path: `${here}.name`, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
    }
    if (typeof option['description'] !== 'string' || option['description'].length < 1 || option['description'].length > 100) {
      problems.push({ path: `${here}.description`, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
    }
    tooMany(`${here}.choices`, option['choices'], 25, problems);
    asRecords(option['choices']).forEach((choice, choiceIndex) => {
      tooLong(`${here}.choices.${choiceIndex}.name`, choice['name'], 100, problems);
      tooLong(`${here}.choices.${choiceIndex}.value`, choice['value'], 100, problems);
    });
    if (option['autocomplete'] === true && Array.isArray(option['choices']) && option['choices'].length > 0) {
      problems.push({ path: `${here}.autocomplete`, code: 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID', message: 'Autocomplete cannot be set with choices' });
    }
    if (typeof option['max_length'] === 'number' && (option['max_length'] < 1 || option['max_length'] > 6000)) {
      problems.push({ path: `${here}.max_length`, code: 'NUMBER_TYPE_MAX', message: 'int value should be between 1 and 6000' });
    }
    if (option['options'] !== undefined) optionProblems(option['options'], `${here}.options`, problems);
  });
}

/** Problems with a bulk command registration (PUT of the whole command set). */
export function commandSetProblems(commands: unknown): FormProblem[] {
  const problems: FormProblem[] = [];
  if (!Array.isArray(commands)) return [{ path: '_root', code: 'BASE_TYPE_ARRAY', message: 'Must be an array' }];
  tooMany('_root', commands, 100, problems);
  asRecords(commands).forEach((command, index) => {
    const type = command['type'] ?? 1;
    if (typeof command['name'] !== 'string' || !COMMAND_NAME.test(command['name']) || (type === 1 && command['name'] !== command['name'].toLowerCase())) {
      problems.push({ path: `${index}.name`, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
    }
    if (type === 1 && (typeof command['description'] !== 'string' || command['description'].length < 1 || command['description'].length > 100)) {
      problems.push({ path: `${index}.description`, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
    }
    optionProblems(command['options'], `${index}.options`, problems);
  });
  return problems;
}
