#!/usr/bin/env node
// `npm run lint:boundaries`: enforce the dependency direction between our layers, and that no
// production function but a JSX component grows past MAX_FUNCTION_LINES lines.
//
// Every .ts/.tsx/.js file under app/, pages/, components/, lib/ and server/ (and, for the import
// rules only, bench/ and support/) is parsed with
// @swc/core; each import it makes (static, `import type`, re-exports, dynamic import(),
// require(), `import x = require()`, `import('x').T` types) is resolved to a project
// file, a package or a Node builtin, and checked against RULES below. Type-only imports
// count: a boundary holds for types too. Folders that do not exist yet match nothing.
//
// Why not dependency-cruiser: it parses TypeScript with the `typescript` compiler API,
// which TypeScript 7 no longer ships, and its swc mode cannot parse .tsx.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from '@swc/core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['app', 'pages', 'components', 'lib', 'server'];
/** Checked against RULES too, but not production code: no limit on their functions' length. */
const TOOL_DIRS = ['bench', 'support'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const RESOLVE_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
/** `./x.js` may name `./x.ts` (TypeScript's and tsx's convention). */
const JS_TO_TS = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
/** Mirrors `paths` in tsconfig.json. */
const ALIAS = '@/';

/**
 * A target is what an import resolves to:
 *   { kind: 'file', path }        project file, posix path relative to the root
 *   { kind: 'package', name }     npm package ('next', '@swc/core')
 *   { kind: 'builtin', name }     Node builtin
 *   { kind: 'unresolved' }        relative or alias import that names no file
 * `violates(target, from)` returns true when the import (made by the file `from`) breaks the rule.
 */
const isFile = (target, pattern) => target.kind === 'file' && pattern.test(target.path);
const isPackage = (target, names) => target.kind === 'package' && names.includes(target.name);

const RULES = [
  {
    name: 'bench-and-support-never-import-tests',
    why: 'support/ holds what the tests and the bench share; the bench and support/ never import tests/, so a change to a test cannot break the bench.',
    from: /^(bench|support)\//,
    violates: (t) => isFile(t, /^tests\//),
  },
  {
    name: 'support-never-imports-bench',
    why: 'support/ is shared by the tests and the bench: it imports neither.',
    from: /^support\//,
    violates: (t) => isFile(t, /^bench\//),
  },
  {
    name: 'lib-bayeux-is-standalone',
    why: 'lib/bayeux is the isomorphic wire contract: it imports nothing of the project outside lib/bayeux.',
    from: /^lib\/bayeux\//,
    violates: (t) => t.kind === 'file' && !/^lib\/bayeux\//.test(t.path),
  },
  {
    name: 'server-bayeux-is-generic',
    why: 'server/bayeux is a generic Bayeux server: it imports only itself, lib/bayeux, Node builtins, ws and (for the multi-node engine) ioredis.',
    from: /^server\/bayeux\//,
    violates: (t) =>
      (t.kind === 'file' && !/^(server|lib)\/bayeux\//.test(t.path)) ||
      (t.kind === 'package' && !['ws', 'ioredis'].includes(t.name)),
  },
  {
    name: 'server-slides-knows-no-bayeux-or-ui',
    why: 'server/slides stores and renders decks: it knows nothing of Bayeux, the slideshow, pages or browser code.',
    from: /^server\/slides\//,
    violates: (t) => isFile(t, /^(server\/bayeux|server\/slideshow|app|pages|components|lib\/client|lib\/stores)\//),
  },
  {
    name: 'ui-never-imports-server',
    why: 'app/, pages/ and components/ are compiled by Next apart from the server process: they never import server/.',
    from: /^(app|pages|components)\//,
    violates: (t) => isFile(t, /^server\//),
  },
  {
    name: 'only-server-index-imports-next',
    why: 'server/index.ts is the composition root and the only server file that imports next.',
    from: /^server\/(?!index\.ts$)/,
    violates: (t) => isPackage(t, ['next']) || (t.kind === 'package' && t.name.startsWith('@next/')),
  },
  {
    name: 'slideshow-uses-bayeux-public-api',
    why: 'server/slideshow uses server/bayeux only through server/bayeux/index.ts.',
    from: /^server\/slideshow\//,
    violates: (t) => isFile(t, /^server\/bayeux\//) && t.path !== 'server/bayeux/index.ts',
  },
  {
    name: 'slideshow-uses-slides-public-api',
    why: 'server/slideshow uses server/slides only through server/slides/index.ts, so the deck store and the render pipeline can change inside.',
    from: /^server\/slideshow\//,
    violates: (t) => isFile(t, /^server\/slides\//) && t.path !== 'server/slides/index.ts',
  },
  {
    name: 'component-features-stay-apart',
    why: 'components/ holds features (audience, presenter, library, room), each imported by its pages, and shared folders (ui, slides, connection, notes, access) they all may use; a feature never imports another feature.',
    from: /^components\/(audience|presenter|library|room)\//,
    violates: (t, from) => {
      if (t.kind !== 'file') return false;
      const feature = /^components\/(audience|presenter|library|room)\//.exec(t.path)?.[1];
      return feature !== undefined && !from.startsWith(`components/${feature}/`);
    },
  },
  {
    name: 'audience-bundles-no-presenter-code',
    why: 'The audience page (pages/, components/audience/) and the connection modules it shares with the presenter never import presenter-only code: presenters hand theirs in (lib/client/presenter-role.ts), so phones do not download it.',
    from: /^(pages\/|components\/audience\/|lib\/client\/(connection|reconnection|page-return|store-feed|command-result)\.ts$)/,
    violates: (t) => isFile(t, /^(components\/presenter\/|lib\/stores\/presenter-store\.ts$|lib\/client\/(presenter-|command-(sender|routes)\.ts$|api\.ts$|upload\.ts$))/),
  },
  {
    name: 'no-unresolvable',
    why: 'An import that names no file cannot be checked (typo, missing file or wrong alias).',
    from: /^/,
    violates: (t) => t.kind === 'unresolved',
  },
];

/** No production function longer than this many lines, but JSX components (their markup reads best whole). */
const MAX_FUNCTION_LINES = 60;
const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassMethod', 'PrivateMethod', 'Constructor']);

const toPosix = (path) => path.split(sep).join('/');

/** Project files with a source extension under `dir`, skipping dot folders and node_modules. */
function listSources(dir) {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  const files = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...listSources(path));
    else if (SOURCE_EXTENSIONS.has(extname(entry.name))) files.push(path);
  }
  return files;
}

function parse(path, source) {
  const ext = extname(path);
  const isTs = ['.ts', '.tsx', '.mts', '.cts'].includes(ext);
  const syntax = isTs
    ? { syntax: 'typescript', tsx: ext === '.tsx' }
    : { syntax: 'ecmascript', jsx: ext === '.jsx' };
  return parseSync(source, { ...syntax, target: 'es2022', isModule: ext !== '.cjs' });
}

function literalValue(node) {
  if (node?.type === 'StringLiteral') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.cooked;
  return undefined;
}

/** The module specifier an AST node imports, if it is an import of any kind. */
function specifierOf(node) {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
      return node.source?.value;
    case 'TsImportType':
      return literalValue(node.argument);
    case 'TsExternalModuleReference':
      return literalValue(node.expression);
    case 'CallExpression': {
      const callee = node.callee;
      const isImport = callee.type === 'Import';
      const isRequire = callee.type === 'Identifier' && callee.value === 'require';
      return isImport || isRequire ? literalValue(node.arguments[0]?.expression) : undefined;
    }
    default:
      return undefined;
  }
}

/** Every module specifier in the AST, in source order. */
function collectSpecifiers(node, out = []) {
  if (Array.isArray(node)) {
    for (const child of node) collectSpecifiers(child, out);
  } else if (node && typeof node === 'object') {
    if (typeof node.type === 'string') {
      const specifier = specifierOf(node);
      if (specifier !== undefined) out.push(specifier);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'span' && value && typeof value === 'object') collectSpecifiers(value, out);
    }
  }
  return out;
}

function existingFile(abs) {
  return existsSync(abs) && statSync(abs).isFile();
}

/** Resolve an absolute path the way TypeScript's bundler resolution and tsx do. */
function resolvePath(abs) {
  const candidates = [abs];
  const ext = extname(abs);
  for (const tsExt of JS_TO_TS[ext] ?? []) candidates.push(abs.slice(0, -ext.length) + tsExt);
  for (const extension of RESOLVE_EXTENSIONS) candidates.push(abs + extension);
  for (const extension of RESOLVE_EXTENSIONS) candidates.push(join(abs, `index${extension}`));
  return candidates.find(existingFile);
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function resolveTarget(fromPath, specifier) {
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return { kind: 'builtin', name: specifier };
  let abs;
  if (specifier.startsWith('.')) abs = join(ROOT, dirname(fromPath), specifier);
  else if (specifier.startsWith(ALIAS)) abs = join(ROOT, specifier.slice(ALIAS.length));
  else if (specifier.startsWith('/')) abs = specifier;
  else return { kind: 'package', name: packageName(specifier) };
  const found = resolvePath(abs);
  return found ? { kind: 'file', path: toPosix(relative(ROOT, found)) } : { kind: 'unresolved' };
}

/** 1-based line of the first mention of the quoted specifier, for the report. */
function lineOf(source, specifier) {
  const lines = source.split('\n');
  const index = lines.findIndex((line) => line.includes(`'${specifier}'`) || line.includes(`"${specifier}"`) || line.includes(`\`${specifier}\``));
  return index + 1 || 1;
}

function describe(target) {
  if (target.kind === 'file') return target.path;
  if (target.kind === 'unresolved') return 'no such file';
  return `${target.kind} ${target.name}`;
}

function checkFile(path) {
  const source = readFileSync(join(ROOT, path), 'utf8');
  let ast;
  try {
    ast = parse(path, source);
  } catch (error) {
    return [`${path}: cannot parse: ${String(error?.message ?? error).split('\n')[0]}`];
  }
  const rules = RULES.filter((rule) => rule.from.test(path));
  const problems = [];
  for (const specifier of new Set(collectSpecifiers(ast.body))) {
    const target = resolveTarget(path, specifier);
    for (const rule of rules.filter((r) => r.violates(target, path))) {
      problems.push(
        `${path}:${lineOf(source, specifier)}: [${rule.name}] imports '${specifier}' (${describe(target)})\n    ${rule.why}`,
      );
    }
  }
  return problems;
}

/** The name a function goes by: its own, the variable or property it is assigned to, or its method key. */
function nameOf(node, parentName) {
  if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') return node.identifier?.value ?? parentName;
  if (node.type === 'ClassMethod' || node.type === 'PrivateMethod') return node.key?.value ?? node.key?.id?.value ?? parentName;
  if (node.type === 'Constructor') return 'constructor';
  return parentName;
}

/** Functions over MAX_FUNCTION_LINES lines; in .tsx, capitalised ones are components and exempt. */
function longFunctions(path, source) {
  // A one-line marker first: swc's spans count from where its first token stands.
  const ast = parse(path, `0;\n${source}`);
  const base = ast.body[0].span.start;
  const lineAt = (position) => source.slice(0, Math.max(0, position - base - 3)).split('\n').length;
  const problems = [];
  const walk = (node, name) => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child, name));
    if (!node || typeof node !== 'object') return;
    const ownName = node.type === 'VariableDeclarator' && node.id?.type === 'Identifier' ? node.id.value
      : node.type === 'KeyValueProperty' && node.key?.type === 'Identifier' ? node.key.value : name;
    if (FUNCTION_TYPES.has(node.type)) {
      const fn = nameOf(node, ownName);
      const lines = lineAt(node.span.end) - lineAt(node.span.start) + 1;
      const component = path.endsWith('.tsx') && /^[A-Z]/.test(fn ?? '');
      if (lines > MAX_FUNCTION_LINES && !component) problems.push(`${path}:${lineAt(node.span.start)}: [function-length] ${fn ?? 'an anonymous function'} is ${lines} lines (at most ${MAX_FUNCTION_LINES}): split it into functions whose names say what each part does`);
    }
    for (const key of Object.keys(node)) if (key !== 'span') walk(node[key], ownName);
  };
  walk(ast.body.slice(1), undefined);
  return problems;
}

const files = SOURCE_DIRS.flatMap(listSources);
const toolFiles = TOOL_DIRS.flatMap(listSources);
if (files.length === 0) {
  console.error('check-boundaries: found no source files under ' + SOURCE_DIRS.join(', '));
  process.exit(1);
}
const problems = [...[...files, ...toolFiles].flatMap(checkFile), ...files.flatMap((path) => longFunctions(path, readFileSync(join(ROOT, path), 'utf8')))];
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\ncheck-boundaries: ${problems.length} violation(s) in ${files.length + toolFiles.length} files`);
  process.exit(1);
}
console.log(`check-boundaries: ${files.length + toolFiles.length} files, ${RULES.length} rules and functions of at most ${MAX_FUNCTION_LINES} lines, no violations`);
