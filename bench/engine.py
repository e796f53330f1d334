"""Engine overhead: per asset, per run, and for one leaf of a large graph.

Targets (DESIGN section 10): <= 10 µs per asset, <= 1 ms fixed cost per run,
<= 1 ms to materialize one leaf of a 500-asset DAG whose upstream is in memory.
"""

from __future__ import annotations

from bench.dags import build, chain, fan_out, layered, run_plain
from bench.timing import fmt_ms, fmt_us, median_time
from nbassets import materialize_to_memory, use_registry
from nbassets.engine.prepare import forget_explicit_definitions


def _cold(definitions: list) -> None:
    # Forget the cached graph and plans, as for a list of definitions never run before.
    forget_explicit_definitions()
    materialize_to_memory(definitions)


def overhead_per_asset() -> None:
    print(
        "Engine overhead per asset (materialize_to_memory vs a plain loop over the same functions)"
    )
    print(
        f"{'shape':<10}{'assets':>8}{'plain/asset':>13}{'nbassets/asset':>16}"
        f"{'overhead/asset':>16}{'ratio':>8}{'cold overhead/asset':>21}"
    )
    for shape_name, shape in (("chain", chain), ("fan-out", fan_out), ("layered", layered)):
        for n in (10, 100, 1000):
            with use_registry():
                definitions, plain = build(shape(n))
                materialize_to_memory(definitions)  # warm: plan caches, imports
                repeat = 5 if n == 1000 else 9
                engine = median_time(lambda d=definitions: materialize_to_memory(d), repeat=repeat)
                cold = median_time(lambda d=definitions: _cold(d), repeat=repeat)
                base = median_time(lambda p=plain: run_plain(p), repeat=repeat, number=20)
            overhead = (engine - base) / n
            print(
                f"{shape_name:<10}{n:>8}{fmt_us(base / n):>13}{fmt_us(engine / n):>16}"
                f"{fmt_us(overhead):>16}{engine / base:>7.0f}x{fmt_us((cold - base) / n):>21}"
            )
    print("  target: overhead <= 10 µs per asset (Dagster 1.13 here: ~11,000 µs)")
    print("  'cold' includes building the graph and the plan, which later runs of the same")
    print("  definitions and selection reuse.\n")


def fixed_cost() -> None:
    with use_registry():
        definitions, plain = build(chain(1))
        materialize_to_memory(definitions)
        engine = median_time(lambda: materialize_to_memory(definitions), repeat=15, number=50)
        base = median_time(lambda: run_plain(plain), repeat=15, number=1000)
    print("Fixed cost of one run (one trivial asset)")
    print(
        f"  plain call {fmt_us(base)}, nbassets run {fmt_us(engine)}: "
        f"{fmt_ms(engine - base)} per run"
    )
    print("  target: <= 1 ms (Dagster 1.13 here: ~60 ms)\n")


def one_leaf() -> None:
    with use_registry():
        definitions, plain = build(layered(500))
        materialize_to_memory(definitions)
        leaf = definitions[-1]
        engine = median_time(
            lambda: materialize_to_memory(definitions, selection=[leaf]), repeat=15, number=20
        )
        base = median_time(lambda: leaf.fn(1, 1), repeat=15, number=1000)
    print("One leaf selected in a 500-asset layered DAG, upstream values in memory")
    print(f"  plain call {fmt_us(base)}, nbassets {fmt_ms(engine)}")
    print("  target: <= 1 ms (Dagster 1.13 here: 100-160 ms, and it fails in memory)\n")


def main() -> None:
    overhead_per_asset()
    fixed_cost()
    one_leaf()


if __name__ == "__main__":
    main()
