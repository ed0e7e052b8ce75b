import fc from 'fast-check';
import { renderStatusTable } from './status-table';
import { terminalSafeLine, terminalSafeText } from './sanitize';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('text from the cluster or the cloud reaches the terminal shown, not obeyed', () => {
  test.each([
    ['a colour and cursor escape', 'Active\x1b[2J\x1b[1;1H', 'Active\\x1b[2J\\x1b[1;1H'],
    ['a window title (OSC)', '\x1b]0;pwned\x07ok', '\\x1b]0;pwned\\x07ok'],
    ['a single-byte CSI', 'a\x9b31mb', 'a\\x9b31mb'],
    ['a carriage return that would overwrite the line', 'Connected\rBroken', 'Connected\\x0dBroken'],
    ['a right-to-left override', 'ep-\u202egnp.exe', 'ep-\\u202egnp.exe'],
  ])('%s', (_name, text, shown) => {
    expect(terminalSafeLine(text)).toBe(shown);
    expect(terminalSafeText(text)).toBe(shown);
  });

  test('a line shows newlines and tabs; text keeps them', () => {
    expect(terminalSafeLine('a\nb\tc')).toBe('a\\nb\\tc');
    expect(terminalSafeText('a\nb\tc')).toBe('a\nb\tc');
  });

  test('no string comes out with a control character, and safe text is unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(UNSAFE.test(terminalSafeText(text))).toBe(false);
        expect(/[\n\t]/.test(terminalSafeLine(text))).toBe(false);
        if (!UNSAFE.test(text) && !/[\n\t]/.test(text)) expect(terminalSafeLine(text)).toBe(text);
      }),
    );
  });

  test('the status table escapes a hostile domain and condition text', () => {
    const table = renderStatusTable(
      {
        apiVersion: 'istio.alibabacloud.com/v1beta1',
        kind: 'ASMPvlConfig',
        metadata: { name: 'default' },
        spec: {
          ackVpcEndpoint: [
            {
              clusterId: 'c0123456789abcdef0123456789abcdef',
              vSwitches: [{ vSwitchId: 'vsw-abcdefg', zoneId: 'cn-hangzhou-j' }],
            },
          ],
          asmVpcEndpoint: { vSwitches: [{ vSwitchId: 'vsw-hijklmn', zoneId: 'cn-hangzhou-j' }] },
        },
        status: {
          clusters: [
            {
              clusterId: 'c0123456789abcdef0123456789abcdef',
              pvlEndpoint: {
                id: 'ep-1',
                status: 'Active\x1b[31m',
                connectionStatus: 'Connected',
                domainName: 'x\x1b]0;t\x07',
              },
            },
          ],
        },
      } as never,
      { wide: true },
    );
    expect(table).not.toMatch(UNSAFE);
    expect(table).toContain('Active\\x1b[31m');
  });
});
