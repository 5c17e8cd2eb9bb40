// ESLint flat config: typescript-eslint's recommended rules for src, test and bench, and the
// direction of imports inside src (see CONTRIBUTING.md, "Layers").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Chat libraries: only src/chat (and the composition root) may load them. */
const CHAT_LIBRARIES = ['@slack/*', 'discord.js', '@discordjs/*'];

/** `no-restricted-imports` patterns refusing imports of these folders of src, from a file one folder below src. */
const layers = (...folders) => folders.map((folder) => ({ group: [`../${folder}`, `../${folder}/*`, `../../${folder}`, `../../${folder}/*`], message: `This layer must not import src/${folder}: data flows down (chat -> commands -> jobs -> providers), results flow back up.` }));
const chatLibraries = { group: CHAT_LIBRARIES, message: 'Only src/chat talks to a chat platform.' };

/** The writers of `WatchStore`: only `WatchLife` calls them. */
const STORE_WRITERS = 'subscribe|reserveWatch|releaseReservation|endWatch|endTask|recordObservation|recordChange|recordChangeSince|noteReplacement|reschedule|forgetDue|claimDelivery|releaseDelivery|markTold|recordCard|trimHistory|expireIfFinished|removeIdleGroup|abandonWatch';
const STORE_NAMES = '^(store|watchStore)$';
const lifeMessage = 'Watch and task records change only through WatchLife (watch-life.ts), which names the transition.';
const lifeWrites = () => [
  { selector: `CallExpression[callee.property.name=/^(${STORE_WRITERS})$/][callee.object.name=/${STORE_NAMES}/]`, message: lifeMessage },
  { selector: `CallExpression[callee.property.name=/^(${STORE_WRITERS})$/][callee.object.property.name=/${STORE_NAMES}/]`, message: lifeMessage },
  { selector: `MemberExpression[property.name='redis'][object.name=/${STORE_NAMES}/]`, message: lifeMessage },
  { selector: `MemberExpression[property.name='redis'][object.property.name=/${STORE_NAMES}/]`, message: lifeMessage },
];

const wordsMessage = 'Words live in src/chat/render: src/jobs hands up facts (codes, counts, durations, states, kinds), and a renderer writes the sentence.';
/**
 * What writing a sentence in src/jobs looks like: wording a duration or a cloud, naming a kind
 * by its label, or making a provider error (whose message is a sentence) of its own.
 */
const jobsWriteNoWords = () => [
  { selector: 'ImportSpecifier[imported.name=/^(formatDuration|cloudLabel|taskKindLabel)$/]', message: wordsMessage },
  { selector: 'MemberExpression[property.name=/^(productName|taskLabel)$/]', message: wordsMessage },
  { selector: "NewExpression[callee.name='ProviderError']", message: wordsMessage },
];
const providerWordsMessage =
  'Words live in src/chat/render: a provider hands up facts (TaskStatus.summary, TaskItem.note: counts, codes, the cloud\'s own text as data), and task-summary-text.ts writes the sentence.';
/** Where a provider's sentences used to be put: `message`, `notFoundMessage`, `DCDN_NOT_FOUND_MESSAGE`, a `text`, ... */
const SENTENCE_NAMES = '/(message|text|detail|note|summary|sentence|words)$/i';
/** A sentence being written: a template literal, a `+` concatenation, or a string literal with a space in it. */
const SENTENCE = ":matches(TemplateLiteral, BinaryExpression[operator='+'], Literal[value=/ /])";
/** A template literal whose own text has a space: words around the values, not an ID or an API label. */
const WORDY_TEMPLATE = 'TemplateLiteral:has(TemplateElement[value.raw=/ /])';
/**
 * What writing a sentence in src/providers looks like: a template literal, a concatenation or a
 * string literal with a space given to something named like a message (`message`, `text`,
 * `detail`, `note`, `summary`, `notFoundMessage`, `..._MESSAGE`: an object property, a variable or
 * an assignment, directly or in a branch of `?:` / `||` / `??`); a template literal with words in
 * it that a function returns (`describeAggregate`, `redisMessage`) or a call is given (a missing
 * task's sentence); and a `written` summary
 * fact, which only stands for a sentence an older release stored. It does not catch a plain
 * string literal returned by a function or passed as an argument (the fact types refuse those
 * where a summary or note is expected), a sentence built by `join`, or the words a kind
 * descriptor carries by design (labels, `idShape`, `description`).
 */
const providersWriteNoWords = () =>
  [
    `Property[key.name=${SENTENCE_NAMES}] > ${SENTENCE}`,
    `Property[key.name=${SENTENCE_NAMES}] > :matches(ConditionalExpression, LogicalExpression) ${SENTENCE}`,
    `VariableDeclarator[id.name=${SENTENCE_NAMES}] > ${SENTENCE}`,
    `VariableDeclarator[id.name=${SENTENCE_NAMES}] > :matches(ConditionalExpression, LogicalExpression) ${SENTENCE}`,
    `AssignmentExpression[left.property.name=${SENTENCE_NAMES}] > ${SENTENCE}`,
    `ReturnStatement > ${WORDY_TEMPLATE}`,
    `ArrowFunctionExpression > ${WORDY_TEMPLATE}`,
    `CallExpression[callee.type!='Super'] > ${WORDY_TEMPLATE}`,
    "Property[key.name='fact'][value.value='written']",
  ].map((selector) => ({ selector, message: providerWordsMessage }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // No import cycles in src, type-only imports included: each cycle is a module that cannot be
    // understood (or loaded) without the one that needs it.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // The direction of the layers: chat above commands above jobs above providers.
  { files: ['src/providers/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...layers('chat', 'commands', 'jobs', 'http', 'accounts', 'cli', 'sandbox'), chatLibraries] }] } },
  // Words live in src/chat/render: a provider hands up facts and writes no sentence for people.
  { files: ['src/providers/**/*.ts'], rules: { 'no-restricted-syntax': ['error', ...providersWriteNoWords()] } },
  { files: ['src/jobs/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...layers('chat', 'commands', 'http', 'cli'), chatLibraries] }] } },
  // A watch's life is written in one place (src/jobs/**/watch-life.ts, over its store): nothing
  // else in src/jobs calls a writer of the store or reaches past it to its Redis connection.
  // And words live in src/chat/render: src/jobs hands up facts and writes no sentence for people.
  // (One rule name, so each file gets exactly one of these two entries.)
  {
    files: ['src/jobs/**/*.ts'],
    ignores: ['src/jobs/**/watch-life.ts', 'src/jobs/**/watch-store.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...lifeWrites(), ...jobsWriteNoWords()],
    },
  },
  { files: ['src/jobs/**/watch-life.ts', 'src/jobs/**/watch-store.ts'], rules: { 'no-restricted-syntax': ['error', ...jobsWriteNoWords()] } },
  { files: ['src/commands/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...layers('chat', 'http', 'cli'), chatLibraries] }] } },
  // Shared validation patterns sit below every layer: they import none of taskwatch.
  { files: ['src/validation/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...layers('chat', 'commands', 'jobs', 'http', 'accounts', 'cli', 'sandbox', 'providers', 'observability', 'runtime'), chatLibraries] }] } },
  { files: ['src/accounts/**/*.ts', 'src/http/**/*.ts', 'src/sandbox/**/*.ts', 'src/observability/**/*.ts', 'src/runtime/**/*.ts', 'src/util/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...layers('chat', 'cli'), chatLibraries] }] } },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
