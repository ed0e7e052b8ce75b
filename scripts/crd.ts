/** Turns the resource's JSON Schema into a CustomResourceDefinition with a structural openAPIV3Schema. */
import { NAME_RULE_MESSAGE } from '../core/rules';
import { API_GROUP, API_VERSION, KIND, PLURAL, SINGLETON_NAME } from '../core/schema';

type Schema = Record<string, unknown>;

// JSON Schema keywords the CRD's OpenAPI v3 subset does not accept. `additionalProperties: false` is
// replaced by pruning: the API server drops unknown fields (and kubectl's strict validation reports them).
const DROPPED_KEYWORDS = new Set(['$schema', '$id', '$defs', 'title', 'additionalProperties']);

function resolveRef(ref: string, root: Schema): Schema {
  const name = ref.replace(/^#\/\$defs\//, '');
  const target = (root.$defs as Record<string, Schema> | undefined)?.[name];
  if (target === undefined) throw new Error(`schema $ref ${ref} does not resolve`);
  return target;
}

/** Inlines `$ref`s (a sibling `description` wins over the definition's) and drops unsupported keywords. */
export function toStructural(node: unknown, root: Schema): unknown {
  if (Array.isArray(node)) return node.map((item) => toStructural(item, root));
  if (typeof node !== 'object' || node === null) return node;
  const { $ref, ...rest } = node as Schema;
  const merged: Schema = typeof $ref === 'string' ? { ...resolveRef($ref, root), ...rest } : rest;
  const result: Schema = {};
  for (const [key, value] of Object.entries(merged)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (key === 'properties') {
      result.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([name, child]) => [name, toStructural(child, root)]),
      );
      continue;
    }
    result[key] = toStructural(value, root);
  }
  return result;
}

// A JSONPath printer column shows only its first match, so no column lists the clusters; the Ready
// condition's message counts them (kubectl get -o wide). READY comes first, as in `kubectl get
// deployments` and Crossplane's managed resources, so scripts and eyes can find True/False at once.
// The Ready reason is left out: it says the same as STATUS (Provisioning, ProvisioningFailed).
const printerColumns = [
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    description: 'True when every link is Active and Connected (the Ready condition).',
  },
  {
    name: 'Status',
    type: 'string',
    jsonPath: '.status.status',
    description: 'Overall state of the PrivateLink links.',
  },
  {
    name: 'Mesh',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="MeshReady")].reason',
    description: "The mesh's own verdict on the clusters: Running, Joining, NotRunning or NotInMesh.",
  },
  {
    name: 'Message',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].message',
    description: 'What is connected, or what failed and what to do.',
    priority: 1,
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

export function crdFromSchema(schema: Schema): Schema {
  const properties = schema.properties as Schema;
  const openAPIV3Schema = {
    type: 'object',
    description: schema.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: (properties.apiVersion as Schema).description },
      kind: { type: 'string', description: (properties.kind as Schema).description },
      // metadata may only be declared as an object in a CRD; the name rule is CEL below.
      metadata: { type: 'object' },
      spec: toStructural(properties.spec, schema),
      status: toStructural(properties.status, schema),
    },
    'x-kubernetes-validations': [{ rule: `self.metadata.name == '${SINGLETON_NAME}'`, message: NAME_RULE_MESSAGE }],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${API_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'asmpvl' } },
    spec: {
      group: API_GROUP,
      scope: 'Cluster',
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: KIND.toLowerCase(),
        shortNames: ['asmpvl'],
        categories: ['asm'],
      },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}
