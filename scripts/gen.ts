/**
 * Derives every file that repeats the shape of ASMPvlConfig from schemas/asmpvlconfig.schema.json:
 * the CRD in the chart's crds/ and the TypeScript types. `--check` fails when a file on disk is out of
 * date, so CI catches a schema edit without `npm run gen`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { stringify } from 'yaml';
import { crdFromSchema } from './crd';
import { validatorOutputs } from './gen-validator';
import resourceSchema from '../schemas/asmpvlconfig.schema.json';

const root = join(__dirname, '..');
const GENERATED_NOTICE = 'Generated from schemas/asmpvlconfig.schema.json by `npm run gen`. Do not edit.';

async function typescriptTypes(): Promise<string> {
  const types = await compile(structuredClone(resourceSchema) as Parameters<typeof compile>[0], 'ASMPvlConfig', {
    bannerComment: `/* ${GENERATED_NOTICE} */`,
    additionalProperties: false,
    ignoreMinAndMaxItems: true,
    format: true,
  });
  return types;
}

function crdYaml(): string {
  return `# ${GENERATED_NOTICE}\n${stringify(crdFromSchema(resourceSchema), { lineWidth: 0 })}`;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const outputs: Array<[string, string]> = [
    ['charts/asmpvl/crds/asmpvlconfigs.istio.alibabacloud.com.yaml', crdYaml()],
    ['core/generated/asmpvlconfig.ts', await typescriptTypes()],
    ...validatorOutputs(),
    [
      'charts/asmpvl/values.schema.json',
      `${JSON.stringify({ $comment: 'Generated from schemas/helm-values.schema.json by `npm run gen`. Do not edit.', ...JSON.parse(readFileSync(join(root, 'schemas/helm-values.schema.json'), 'utf8')) }, null, 2)}\n`,
    ],
  ];
  const stale = outputs.filter(([file, content]) => {
    let current: string;
    try {
      current = readFileSync(join(root, file), 'utf8');
    } catch {
      current = '';
    }
    return current !== content;
  });
  if (check) {
    if (stale.length === 0) return;
    console.error(
      `error: generated files are out of date with schemas/asmpvlconfig.schema.json:\n${stale.map(([file]) => `  ${file}`).join('\n')}\nrun \`npm run gen\` and commit the result`,
    );
    process.exitCode = 1;
    return;
  }
  for (const [file, content] of stale) {
    writeFileSync(join(root, file), content);
    console.log(`wrote ${file}`);
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
