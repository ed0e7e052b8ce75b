import { parse } from 'yaml';
import { checkOutput, jsonpathTemplate, objectFormat, objectName, renderObject, select } from './output';

const object = {
  apiVersion: 'istio.alibabacloud.com/v1beta1',
  kind: 'ASMPvlConfig',
  metadata: { name: 'default', managedFields: [{ manager: 'kubectl' }], generation: 2 },
  spec: { ackVpcEndpoint: [{ clusterId: 'c1' }, { clusterId: 'c2' }] },
  status: {
    status: 'Available',
    clusters: [
      { clusterId: 'c1', pvlEndpoint: { status: 'Active', connectionStatus: 'Connected' } },
      { clusterId: 'c2', pvlEndpoint: { status: 'Creating' } },
    ],
  },
};

describe('objectFormat and checkOutput', () => {
  it('reads the object forms and leaves the table forms to the command', () => {
    expect(objectFormat('json')).toBe('json');
    expect(objectFormat('jsonpath={.status.status}')).toEqual({ jsonpath: '{.status.status}' });
    expect(objectFormat('wide')).toBeUndefined();
    expect(checkOutput('wide', ['table', 'wide'])).toBeUndefined();
    expect(checkOutput('jsonpath={.a}', ['table'])).toBeUndefined();
    expect(checkOutput('xml', ['table', 'wide', 'json'])).toBe(
      'expected one of table, wide, json, yaml, name, jsonpath=TEMPLATE; got "xml"',
    );
  });
});

describe('renderObject: as kubectl get prints one object', () => {
  it('-o json: the whole object, keys sorted, four-space indent, no managedFields', () => {
    const text = renderObject(object, 'json');
    expect(
      text.startsWith('{\n    "apiVersion": "istio.alibabacloud.com/v1beta1",\n    "kind": "ASMPvlConfig",\n'),
    ).toBe(true);
    const { managedFields: _, ...metadata } = object.metadata;
    expect(JSON.parse(text)).toEqual({ ...object, metadata });
  });

  it('-o yaml: list items at their key indentation, as kubectl writes them', () => {
    const text = renderObject(object, 'yaml');
    expect(text).toContain('spec:\n  ackVpcEndpoint:\n  - clusterId: c1\n  - clusterId: c2\n');
    expect(text).not.toContain('managedFields');
    expect(parse(text)).toMatchObject({ status: { status: 'Available' } });
  });

  it('-o name: kind.group/name', () => {
    expect(objectName(object)).toBe('asmpvlconfig.istio.alibabacloud.com/default');
    expect(renderObject(object, 'name')).toBe('asmpvlconfig.istio.alibabacloud.com/default\n');
  });
});

describe('jsonpath, in kubectl template syntax', () => {
  it.each([
    ['{.status.status}', 'Available'],
    ['.status.status', 'Available'],
    ['{$.status.status}', 'Available'],
    ['{.spec.ackVpcEndpoint[*].clusterId}', 'c1 c2'],
    ['{.spec.ackVpcEndpoint[0].clusterId}', 'c1'],
    ['{.spec.ackVpcEndpoint[-1].clusterId}', 'c2'],
    ["{.metadata['name']}", 'default'],
    ['{..connectionStatus}', 'Connected'],
    ['{.status.clusters[?(@.clusterId=="c2")].pvlEndpoint.status}', 'Creating'],
    ['{.status.clusters[?(@.pvlEndpoint.connectionStatus)].clusterId}', 'c1'],
    ['{.status.clusters[?(@.pvlEndpoint.status!="Active")].clusterId}', 'c2'],
    ['{range .status.clusters[*]}{.clusterId}{"\\t"}{.pvlEndpoint.status}{"\\n"}{end}', 'c1\tActive\nc2\tCreating\n'],
    ['{.metadata}', '{"name":"default","generation":2}'],
    ['{.missing}', ''],
    ['name={.metadata.name}', 'name=default'],
  ])('%s', (template, expected) => {
    expect(jsonpathTemplate(template, renderObjectInput())).toBe(expected);
  });

  it('says what it cannot read', () => {
    expect(() => jsonpathTemplate('{.a[}', object)).toThrow(
      "error parsing jsonpath {.a[}, unrecognized character in action: U+005B '['",
    );
    expect(() => jsonpathTemplate('{.metadata.name', object)).toThrow(
      'error parsing jsonpath {.metadata.name, unclosed action',
    );
    expect(() => jsonpathTemplate('{.a}\n{.b\n}', object)).toThrow(
      'error parsing jsonpath {.a}\n{.b\n}, unclosed action',
    );
    expect(() => jsonpathTemplate('{range .a}{.b}', object)).toThrow(
      'error parsing jsonpath {range .a}{.b}, {range .a}{.b} is an incomplete jsonpath template',
    );
    expect(() => jsonpathTemplate('{end}', object)).toThrow(
      'error parsing jsonpath {end}, not in range, nothing to end',
    );
    expect(jsonpathTemplate('{"}"}{.a}', { a: 'x' })).toBe('}x');
  });

  it('selects from the current item with @', () => {
    expect(select('@.clusterId', { clusterId: 'c9' })).toEqual(['c9']);
  });
});

/** The object as -o jsonpath sees it: without managedFields, as kubectl. */
function renderObjectInput() {
  const { managedFields: _, ...metadata } = object.metadata;
  return { ...object, metadata };
}

describe('text a terminal would obey is escaped, and reads back unchanged', () => {
  // U+009B is a one-byte CSI (ESC [); U+202E reverses the text after it; neither JSON nor YAML escapes them.
  const hostile = {
    ...object,
    status: {
      status: 'Failed',
      message: 'ok\u009b2Jhidden\u202Edesrever\u001b]0;title\u0007',
      ['note\u2066']: 'plain',
    },
  };
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it.each(['yaml', 'json'] as const)('-o %s', (format) => {
    const text = renderObject(hostile, format);
    expect(text).not.toMatch(raw);
    expect(text).toContain('\\u009b2Jhidden\\u202edesrever');
    const { managedFields: _, ...metadata } = hostile.metadata;
    expect(format === 'yaml' ? parse(text) : JSON.parse(text)).toEqual({ ...hostile, metadata });
  });

  it('-o jsonpath shows a selected value with its controls visible, and keeps the template text', () => {
    expect(jsonpathTemplate('{.status.message}{"\\n"}', hostile)).toBe(
      'ok\\x9b2Jhidden\\u202edesrever\\x1b]0;title\\x07\n',
    );
  });
});
