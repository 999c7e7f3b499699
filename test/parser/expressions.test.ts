import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { bin, col, expr, num, shape, str } from './helpers.js';

describe('expression precedence', () => {
  it('binds * over + and folds left to right', () => {
    expect(shape('a + b * c - d')).toEqual(bin('-', bin('+', col('a'), bin('*', col('b'), col('c'))), col('d')));
    expect(shape('a / b % c')).toEqual(bin('%', bin('/', col('a'), col('b')), col('c')));
  });

  it('puts || with + and -', () => {
    expect(shape("a || 'x' + b")).toEqual(bin('+', bin('||', col('a'), str('x')), col('b')));
  });

  it('orders OR < AND < NOT < comparison', () => {
    expect(shape('a = 1 OR NOT b = 2 AND c')).toEqual(
      bin('OR', bin('=', col('a'), num('1')), bin('AND', { kind: 'unary', op: 'NOT', operand: bin('=', col('b'), num('2')) }, col('c'))),
    );
  });

  it('binds unary minus tighter than *, and folds it into number literals', () => {
    expect(shape('-a * 2')).toEqual(bin('*', { kind: 'unary', op: '-', operand: col('a') }, num('2')));
    expect(shape('- 1.5')).toEqual(num('-1.5'));
    expect(shape('+x')).toEqual({ kind: 'unary', op: '+', operand: col('x') });
  });

  it('parenthesises', () => {
    expect(shape('(a + b) * c')).toEqual(bin('*', bin('+', col('a'), col('b')), col('c')));
  });

  it('keeps BETWEEN ... AND apart from logical AND', () => {
    expect(shape('x BETWEEN 1 AND 2 AND y')).toEqual(
      bin('AND', { kind: 'between', operand: col('x'), low: num('1'), high: num('2'), negated: false, symmetric: false }, col('y')),
    );
  });
});

describe('literals', () => {
  it('keeps number text, unescapes strings, reads booleans and NULL', () => {
    expect(shape('1e3')).toEqual(num('1e3'));
    expect(shape("'it''s'")).toEqual(str("it's"));
    expect(shape('TRUE')).toEqual({ kind: 'literal', literalType: 'boolean', value: true });
    expect(shape('null')).toEqual({ kind: 'literal', literalType: 'null', value: null });
  });

  it('reads intervals with quoted or bare values, plural units and ranges', () => {
    expect(shape("INTERVAL '4' SECOND")).toEqual({ kind: 'interval', value: '4', unit: 'SECOND', toUnit: undefined });
    expect(shape('INTERVAL 10 SECONDS')).toEqual({ kind: 'interval', value: '10', unit: 'SECOND', toUnit: undefined });
    expect(shape("INTERVAL '1:30' MINUTE TO SECOND")).toEqual({ kind: 'interval', value: '1:30', unit: 'MINUTE', toUnit: 'SECOND' });
    expect(shape("INTERVAL -'2' hours")).toEqual({ kind: 'interval', value: '-2', unit: 'HOUR', toUnit: undefined });
  });

  it('reads typed literals with the precision of the fraction', () => {
    expect(shape("TIMESTAMP '2020-01-01 00:00:00.123'")).toEqual({
      kind: 'typedLiteral', type: { kind: 'TIMESTAMP', precision: 3, ltz: false }, value: '2020-01-01 00:00:00.123',
    });
    expect(shape("DATE '2020-01-01'")).toEqual({ kind: 'typedLiteral', type: { kind: 'DATE' }, value: '2020-01-01' });
  });

  it('refuses TIME literals as unsupported', () => {
    expect(() => expr("TIME '10:00:00'")).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });
});

describe('names and calls', () => {
  it('reads column paths with backticks and keyword-like parts', () => {
    expect(shape('t.`dateTime`.value')).toEqual({
      kind: 'column',
      path: [{ value: 't', quoted: false }, { value: 'dateTime', quoted: true }, { value: 'value', quoted: false }],
    });
    expect(shape('`a``b`')).toEqual({ kind: 'column', path: [{ value: 'a`b', quoted: true }] });
  });

  it('reads (expr).field as field access', () => {
    expect(shape('(a).b')).toEqual({ kind: 'fieldAccess', operand: col('a'), field: { value: 'b', quoted: false } });
  });

  const call = (name: string, args: unknown[], extra: object = {}) => ({
    kind: 'call', name: { value: name, quoted: false }, args, distinct: false, star: false, filter: undefined, over: undefined, ...extra,
  });

  it('reads calls with DISTINCT, COUNT(*), FILTER and no arguments', () => {
    expect(shape('count(DISTINCT bidder) filter (where price < 10)')).toEqual(
      call('count', [col('bidder')], { distinct: true, filter: bin('<', col('price'), num('10')) }),
    );
    expect(shape('COUNT(*)')).toEqual(call('COUNT', [], { star: true }));
    expect(shape('PROCTIME()')).toEqual(call('PROCTIME', []));
    expect(shape('HOUR(ts)')).toEqual(call('HOUR', [col('ts')]));
  });

  it('reads OVER with partition, order and a frame', () => {
    expect(shape('AVG(p) OVER (PARTITION BY s ORDER BY t DESC NULLS LAST ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)')).toEqual(
      call('AVG', [col('p')], {
        over: {
          partitionBy: [col('s')],
          orderBy: [{ expr: col('t'), descending: true, nullsFirst: false }],
          frame: { unit: 'ROWS', start: { kind: 'preceding', offset: num('10') }, end: { kind: 'currentRow', offset: undefined } },
        },
      }),
    );
    expect(shape('ROW_NUMBER() OVER (ORDER BY x RANGE UNBOUNDED PRECEDING)')).toMatchObject({
      over: { frame: { unit: 'RANGE', start: { kind: 'unboundedPreceding' }, end: { kind: 'currentRow' } } },
    });
  });

  it('normalises special syntaxes to calls', () => {
    expect(shape("TRIM(LEADING 'x' FROM s)")).toEqual(call('TRIM', [str('LEADING'), str('x'), col('s')]));
    expect(shape('TRIM(s)')).toEqual(call('TRIM', [str('BOTH'), str(' '), col('s')]));
    expect(shape('SUBSTRING(s FROM 2 FOR 3)')).toEqual(call('SUBSTRING', [col('s'), num('2'), num('3')]));
    expect(shape('SUBSTRING(s, 2)')).toEqual(call('SUBSTRING', [col('s'), num('2')]));
    expect(shape("POSITION('a' IN s)")).toEqual(call('POSITION', [str('a'), col('s')]));
    expect(shape('CURRENT_TIMESTAMP')).toEqual(call('CURRENT_TIMESTAMP', []));
    expect(shape('localtimestamp')).toEqual(call('LOCALTIMESTAMP', []));
    expect(shape('FLOOR(ts TO hour)')).toEqual(call('FLOOR_TIME', [col('ts'), str('HOUR')]));
    expect(shape('CEIL(ts TO DAY)')).toEqual(call('CEIL_TIME', [col('ts'), str('DAY')]));
    expect(shape('FLOOR(x)')).toEqual(call('FLOOR', [col('x')]));
  });

  it('reads CASE in both forms, CAST, TRY_CAST and EXTRACT', () => {
    expect(shape("CASE WHEN a = 0 THEN 'x' ELSE 'y' END")).toEqual({
      kind: 'case', operand: undefined, whens: [{ when: bin('=', col('a'), num('0')), then: str('x') }], else: str('y'),
    });
    expect(shape('CASE a WHEN 1 THEN 2 WHEN 3 THEN 4 END')).toMatchObject({ operand: col('a'), whens: [{}, {}], else: undefined });
    expect(shape('CAST(x AS DECIMAL(23, 3))')).toEqual({ kind: 'cast', operand: col('x'), type: { kind: 'DECIMAL', precision: 23, scale: 3 }, try: false });
    expect(shape('TRY_CAST(x AS INT)')).toMatchObject({ kind: 'cast', try: true, type: { kind: 'INT' } });
    expect(shape('EXTRACT(HOUR FROM ts)')).toEqual({ kind: 'extract', unit: 'HOUR', operand: col('ts') });
  });
});

describe('predicates', () => {
  it('reads IS [NOT] tests and IS [NOT] DISTINCT FROM', () => {
    expect(shape('a IS NOT NULL')).toEqual({ kind: 'is', operand: col('a'), test: 'NULL', negated: true });
    expect(shape('a IS UNKNOWN')).toEqual({ kind: 'is', operand: col('a'), test: 'UNKNOWN', negated: false });
    expect(shape('a IS NOT DISTINCT FROM b')).toEqual(bin('IS NOT DISTINCT FROM', col('a'), col('b')));
  });

  it('reads [NOT] BETWEEN SYMMETRIC, [NOT] IN lists and subqueries, EXISTS', () => {
    expect(shape('a NOT BETWEEN SYMMETRIC 1 AND 2')).toMatchObject({ kind: 'between', negated: true, symmetric: true });
    expect(shape("lower(c) in ('a', 'b')")).toMatchObject({ kind: 'inList', negated: false, list: [str('a'), str('b')] });
    expect(shape('a NOT IN (SELECT b FROM t)')).toMatchObject({ kind: 'inSubquery', negated: true, query: { kind: 'select' } });
    expect(shape('NOT EXISTS (SELECT 1)')).toMatchObject({ kind: 'exists', negated: true });
    expect(shape('(SELECT max(x) FROM t)')).toMatchObject({ kind: 'scalarSubquery', query: { kind: 'select' } });
  });

  it('reads LIKE with ESCAPE and SIMILAR TO', () => {
    expect(shape("a NOT LIKE 'x%' ESCAPE '!'")).toEqual({
      kind: 'like', operand: col('a'), pattern: str('x%'), escape: str('!'), negated: true, similar: false,
    });
    expect(shape("a SIMILAR TO 'x+'")).toMatchObject({ kind: 'like', similar: true, negated: false });
  });

  it('compares with every operator, != as <>', () => {
    for (const op of ['=', '<>', '<', '<=', '>', '>=']) expect(shape(`a ${op} b`)).toEqual(bin(op, col('a'), col('b')));
    expect(shape('a != b')).toEqual(bin('<>', col('a'), col('b')));
  });
});

describe('spans', () => {
  it('gives each node its line, column, offset and length', () => {
    const e = expr('a +\n  foo(b)');
    if (e.kind !== 'binary') throw new Error('expected a binary expression');
    expect(e.span).toEqual({ line: 1, column: 1, offset: 0, length: 12 });
    expect(e.right.span).toEqual({ line: 2, column: 3, offset: 6, length: 6 });
    if (e.right.kind !== 'call') throw new Error('expected a call');
    expect(e.right.args[0]!.span).toEqual({ line: 2, column: 7, offset: 10, length: 1 });
  });

  it('reports a trailing token after an expression', () => {
    try {
      expr('a b');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WeirError);
      expect((e as WeirError).message).toBe("expected end of input but found 'b'");
    }
  });
});
