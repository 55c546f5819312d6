import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import { both, busybox } from './harness.js';

const T = 'alice 30 paris\nbob 25 london\ncarol 35 paris\ndave x rome\n';

const cases: Array<[string[], string?]> = [
  [['awk', '{print $1}'], T],
  [['awk', '{print $NF, NF}'], T],
  [['awk', '{print NR": "$0}'], T],
  [['awk', '$2 > 28'], T],
  [['awk', '$3 == "paris" {n++} END {print n}'], T],
  [['awk', '{s += $2} END {print s, s/NR}'], T],
  [['awk', '-F:', '{print $1, $3}', 'csv']],
  [['awk', '-F', ':', 'NR > 1 {print $2 + 1}', 'csv']],
  [['awk', 'BEGIN {print 1/3, 7%3, -5 % 3, int(-3.7), 2*3.5}']],
  [['awk', 'BEGIN {printf "%d|%5s|%-5s|%.2f|%x|%c|%c|%e|%g\\n", 42.9, "ab", "cd", 3.14159, 255, 65, "hello", 12345.678, 0.0001}']],
  [['awk', 'BEGIN {x = "abc"; print length(x), substr(x, 2), substr(x, 0, 2), index(x, "c"), toupper(x)}']],
  [['awk', '{n = split($0, a, " "); print n, a[1], a[n]}'], T],
  [['awk', '{gsub(/a/, "A"); print}'], T],
  [['awk', '{sub(/[0-9]+/, "<&>"); print}'], T],
  [['awk', '{print match($0, /[0-9]+/), RSTART, RLENGTH}'], T],
  [['awk', '{c[$3]++} END {for (k in c) n++; print n, c["paris"]}'], T],
  [['awk', '/bob/,/carol/ {print $1}'], T],
  [['awk', '!/a/'], T],
  [['awk', '$1 ~ /^[ab]/ {print $1} $1 !~ /^[ab]/ {print "no", $1}'], T],
  [['awk', 'NR==2 {next} {print $1}'], T],
  [['awk', 'NR==2 {exit 3} {print $1} END {print "end"}'], T],
  [['awk', '{$2 = "X"; print; print NF}'], T],
  [['awk', 'BEGIN {OFS="-"} {$1 = $1; print}'], T],
  [['awk', '{NF = 2; print}'], T],
  [['awk', 'function f(a, b) { return a * b + 1 } {print f($2, 2)}'], T],
  [['awk', 'BEGIN {for (i = 0; i < 3; i++) print i; while (j < 2) print "w" j++; do k++; while (k < 5); print k}']],
  [['awk', 'BEGIN {if (1 > 2) print "a"; else if ("10" < "9") print "str"; else print "c"}']],
  [['awk', '{print ($2 < 30) ? "young" : "old"}'], T],
  [['awk', '-v', 'x=5', 'BEGIN {print x + 1}']],
  [['awk', '{print x, $1}', 'x=1', 'a.txt', 'x=2', 'nums']],
  [['awk', 'END {print NR, $0}'], T],
  [['awk', 'BEGIN {a["x"]; delete a["x"]; print ("x" in a), length(a)}']],
  [['awk', '{print $1 > "out"} END {close("out")}'], T],
  [['awk', 'BEGIN {print 100000000000000000000, 0.1 + 0.2, 1e6, 123456789}']],
  [['awk', '{ print $2 * 2 }'], '1.5 2.5\n'],
  [['awk', 'BEGIN { x["a","b"] = 1; for (k in x) { split(k, p, SUBSEP); print p[1], p[2] } }']],
  [['awk', '{print}', 'nope']],
  [['awk', 'BEGIN { printf "%s %s\\n", "only" }']],
  [['awk', '{ $0 = "new record"; print $2 }'], 'x\n'],
  [['awk', 'length > 10'], T],
];

// Debian's busybox-static has no awk math (`^`, sqrt, exp...: "Math support is not compiled in");
// the model has it, as busybox images built with FEATURE_AWK_LIBM do, so these cases avoid it.
describeWithTool(busybox, 'awk runs programs as busybox does', () => {
  for (const [argv, stdin] of cases) {
    it(`${JSON.stringify(argv)}${stdin === undefined ? '' : ' < T'}`, async () => {
      const { real, model } = await both(argv, { stdin });
      expect(model).toEqual(real);
    });
  }
});
