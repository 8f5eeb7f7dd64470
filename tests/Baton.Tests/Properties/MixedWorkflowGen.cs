using CsCheck;

namespace Baton.Tests.Properties;

/// <summary>
/// CsCheck generators of random workflows that nest every pattern: the top level is a pipeline holding one
/// step of each pattern in a random order, and each of those nests random patterns (or agents) two levels deeper.
/// </summary>
internal static class MixedWorkflowGen
{
    // Depth of the deepest composite: the root pipeline is depth 0, the patterns it holds depth 1.
    private const int MaxDepth = 3;

    private static readonly Gen<StepSpec> Leaf =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 3], (a, m, p) => (StepSpec)new LeafSpec(a == 0, m == 0, p == 0));

    // Steps by depth, outside and inside a foreach body (where no state counter loop may go).
    private static readonly Gen<StepSpec>[,] Steps = new Gen<StepSpec>[MaxDepth + 1, 2];

    static MixedWorkflowGen()
    {
        for (var depth = MaxDepth; depth >= 1; depth--)
        {
            for (var inside = 0; inside < 2; inside++) Steps[depth, inside] = depth == MaxDepth ? Leaf : StepAt(depth, inside == 1);
        }

        var kinds = Enumerable.Range(0, KindCount).Select(k => Composite(k, 1, underForEach: false)).ToArray();
        Workflow = Gen.Select(Gen.Select(kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], kinds[5], kinds[6], kinds[7], (a, b, c, d, e, f, g, h) => new[] { a, b, c, d, e, f, g, h }), Gen.Int.Array[KindCount], Leaf)
            .Select((patterns, order, first) => new SequenceSpec([first, .. patterns.Select((p, i) => (p, order[i])).OrderBy(t => t.Item2).ThenBy(t => t.Item1.GetType().Name, StringComparer.Ordinal).Select(t => t.Item1)]));
    }

    /// <summary>A top-level pipeline: an agent, then one step of every pattern in a random order, each nesting random steps.</summary>
    public static Gen<SequenceSpec> Workflow { get; }

    private const int KindCount = 8;

    private static Gen<StepSpec> StepAt(int depth, bool underForEach) =>
        Gen.Frequency(
            (6, Leaf),
            (1, Composite(0, depth, underForEach)),
            (1, Composite(1, depth, underForEach)),
            (1, Composite(2, depth, underForEach)),
            (1, Composite(3, depth, underForEach)),
            (1, Composite(4, depth, underForEach)),
            (underForEach ? 0 : 1, Composite(5, depth, underForEach)),
            (1, Composite(6, depth, underForEach)),
            (1, Composite(7, depth, underForEach)));

    private static Gen<StepSpec> Child(int depth, bool underForEach) => Steps[depth + 1, underForEach ? 1 : 0];

    private static Gen<StepSpec> Composite(int kind, int depth, bool underForEach)
    {
        var child = Child(depth, underForEach);
        return kind switch
        {
            0 => child.Array[2, 3].Select(s => (StepSpec)new SequenceSpec(s)),
            1 => Gen.Select(child.Array[2, 3], Gen.Bool, (b, byName) => (StepSpec)new ParallelSpec(b, byName)),
            2 => Gen.Select(Gen.Bool, Child(depth, underForEach: true), (d, body) => (StepSpec)new ForEachSpec(d, body)),
            3 => Gen.Select(Gen.Int[1, 2], child.Array[1, 3], (r, s) => (StepSpec)new RouteSpec(r, s)),
            4 => Gen.Select(Gen.Frequency((2, Gen.Const((StepSpec?)null)), (1, child.Select(c => (StepSpec?)c))).Array[3], Gen.Bool,
                (v, tally) => (StepSpec)new VoteSpec(v, tally && !underForEach)),
            // A state counter is one variable for the whole run, so its loop never runs as concurrent foreach items.
            5 => Gen.Select(Gen.Int[1, 3], child, (n, body) => underForEach ? body : new CounterLoopSpec(n, body)),
            6 => Gen.Int[1, 3].Select(n => (StepSpec)new ReviewLoopSpec(n)),
            _ => child.Array[2, 4].SelectMany(nodes => Gen.Select(
                    Gen.Int[0, 15].Array[nodes.Length].Select(masks => masks.Select((m, i) => m & ((1 << i) - 1)).ToArray()),
                    Gen.Bool,
                    (deps, last) => (StepSpec)new GraphSpec(nodes, deps, last))),
        };
    }
}
