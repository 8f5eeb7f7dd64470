namespace Baton;

/// <summary>
/// Compiles a workflow's fan-out and fan-in edges into the engine's one way of running steps at once: each fan-out
/// becomes a composite step (a <see cref="ParallelStep"/> named <c>FROM-fan-out</c>) whose branches are the steps
/// each target leads to, placed after the fan-out's source and followed by the fan-in's target. So a graph drawn
/// with edges runs, journals, resumes and reports exactly as a parallel step does, with the same structured
/// concurrency: a branch never waits for a sibling, only the join waits, and a failing branch stops its siblings.
/// </summary>
internal static class FanOutEdges
{
    /// <summary>The suffix of the composite step a fan-out becomes.</summary>
    public const string RegionSuffix = "-fan-out";

    /// <summary>Edges from one step to several that all run at once on its output.</summary>
    internal sealed record FanOut(string From, string[] To);

    /// <summary>Edges from the last steps of a fan-out's branches to the step that joins them.</summary>
    internal sealed record FanIn(string[] From, string To);

    /// <summary>
    /// The workflow's steps and edges with every fan-out replaced by its composite step; every problem found is added to
    /// <paramref name="problems"/> (the result is then meaningless).
    /// </summary>
    public static (List<Step> Steps, List<Edge> Edges) Compile(string workflow, IReadOnlyList<Step> steps, IReadOnlyList<Edge> edges,
        IReadOnlyList<FanOut> fanOuts, IReadOnlyList<FanIn> fanIns, string entry, List<string> problems)
    {
        var ids = steps.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var outSteps = steps.ToList();
        var outEdges = edges.ToList();
        var claimedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        var joined = new bool[fanIns.Count];
        CheckFanInEnds(fanIns, ids, problems);
        foreach (var fan in fanOuts)
        {
            if (!CheckFanOutEnds(fan, ids, problems)) continue;
            if (edges.FirstOrDefault(e => !e.IsError && e.From == fan.From) is { } other)
            {
                problems.Add($"step '{fan.From}' fans out and also has an edge to '{other.To}': a fan-out is the only way on from its step");
            }

            var branches = new List<(string Target, HashSet<string> Members)>();
            foreach (var target in fan.To)
            {
                var members = Branch(target, edges);
                foreach (var member in members)
                {
                    if (claimedBy.TryGetValue(member, out var owner))
                    {
                        problems.Add($"step '{member}' is in the branch of '{owner}' and of '{target}': branches of a fan-out meet only at a fan-in edge");
                    }
                    else
                    {
                        claimedBy[member] = target;
                    }

                    if (fanOuts.FirstOrDefault(o => o.From == member) is { } nested)
                    {
                        problems.Add($"step '{member}' fans out inside the branch of '{target}' (from '{fan.From}'): fan-outs do not nest; put the inner one in a workflow of its own and use it as a step");
                    }
                }

                if (members.Contains(entry)) problems.Add($"the entry step '{entry}' is inside the fan-out branch of '{target}'");
                CheckBranchWalls(fan, target, members, edges, fanOuts, problems);
                branches.Add((target, members));
            }

            var inBranches = branches.SelectMany(b => b.Members).ToHashSet(StringComparer.Ordinal);
            var closing = Enumerable.Range(0, fanIns.Count).Where(i => fanIns[i].From.Any(inBranches.Contains)).ToList();
            if (closing.Count > 1)
            {
                problems.Add($"the branches of the fan-out from '{fan.From}' lead to several fan-ins ({string.Join(", ", closing.Select(i => $"'{fanIns[i].To}'"))}): one fan-in joins them");
            }

            FanIn? join = null;
            if (closing.Count == 1)
            {
                join = fanIns[closing[0]];
                joined[closing[0]] = true;
                foreach (var source in join.From.Where(s => !inBranches.Contains(s)))
                {
                    problems.Add($"the fan-in to '{join.To}' comes from '{source}', which is not in a branch of the fan-out from '{fan.From}'");
                }

                if (inBranches.Contains(join.To)) problems.Add($"the fan-in to '{join.To}' leads back into a branch of the fan-out from '{fan.From}'");
            }

            var regionId = fan.From + RegionSuffix;
            if (ids.Contains(regionId)) problems.Add($"step id '{regionId}' is taken: the fan-out from '{fan.From}' runs as a step of that name");
            if (problems.Count > 0) continue;

            var region = new ParallelStep(regionId, branches.Select(b => (b.Target, BuildBranch(workflow, b.Target, b.Members, steps, edges, problems))).ToArray())
            {
                Merge = Merge.ByName,
            };
            outSteps.RemoveAll(s => inBranches.Contains(s.Id));
            outSteps.Insert(outSteps.FindIndex(s => s.Id == fan.From) + 1, region);
            outEdges.RemoveAll(e => inBranches.Contains(e.From));
            outEdges.Add(new Edge(fan.From, regionId, Label: "fan-out"));
            if (join is not null) outEdges.Add(new Edge(regionId, join.To, Label: "fan-in"));
        }

        for (var i = 0; i < fanIns.Count; i++)
        {
            if (!joined[i] && fanIns[i].From.All(ids.Contains))
            {
                problems.Add($"the fan-in to '{fanIns[i].To}' joins no fan-out: its sources are not in the branches of one fan-out");
            }
        }

        return (outSteps, outEdges);
    }

    private static bool CheckFanOutEnds(FanOut fan, HashSet<string> ids, List<string> problems)
    {
        var before = problems.Count;
        if (!ids.Contains(fan.From)) problems.Add($"a fan-out starts at unknown step '{fan.From}'{WorkflowBuilder.Suggest(fan.From, ids)}");
        foreach (var target in fan.To.Where(t => !ids.Contains(t)))
        {
            problems.Add($"the fan-out from '{fan.From}' goes to unknown step '{target}'{WorkflowBuilder.Suggest(target, ids)}");
        }

        return problems.Count == before;
    }

    private static void CheckFanInEnds(IReadOnlyList<FanIn> fanIns, HashSet<string> ids, List<string> problems)
    {
        foreach (var join in fanIns)
        {
            if (!ids.Contains(join.To)) problems.Add($"a fan-in goes to unknown step '{join.To}'{WorkflowBuilder.Suggest(join.To, ids)}");
            foreach (var source in join.From.Where(s => !ids.Contains(s)))
            {
                problems.Add($"the fan-in to '{join.To}' comes from unknown step '{source}'{WorkflowBuilder.Suggest(source, ids)}");
            }
        }
    }

    /// <summary>The steps a branch runs: its target and every step its edges (error edges included) can lead to.</summary>
    private static HashSet<string> Branch(string target, IReadOnlyList<Edge> edges)
    {
        var members = new HashSet<string>(StringComparer.Ordinal) { target };
        var queue = new Queue<string>([target]);
        while (queue.TryDequeue(out var id))
        {
            foreach (var edge in edges)
            {
                if (edge.From == id && edge.To != Edge.End && members.Add(edge.To)) queue.Enqueue(edge.To);
            }
        }

        return members;
    }

    /// <summary>A branch is entered only by its fan-out edge: no other edge, fan-out or fan-in leads into it.</summary>
    private static void CheckBranchWalls(FanOut fan, string target, HashSet<string> members, IReadOnlyList<Edge> edges, IReadOnlyList<FanOut> fanOuts, List<string> problems)
    {
        foreach (var edge in edges.Where(e => !members.Contains(e.From) && members.Contains(e.To)))
        {
            problems.Add($"the edge from '{edge.From}' leads into step '{edge.To}', which is in the fan-out branch of '{target}' (from '{fan.From}'): a branch is entered only by its fan-out");
        }

        foreach (var other in fanOuts.Where(o => o != fan))
        {
            foreach (var inside in other.To.Where(members.Contains))
            {
                problems.Add($"the fan-out from '{other.From}' leads into step '{inside}', which is in the fan-out branch of '{target}' (from '{fan.From}')");
            }
        }
    }

    private static Workflow BuildBranch(string workflow, string target, HashSet<string> members, IReadOnlyList<Step> steps, IReadOnlyList<Edge> edges, List<string> problems)
    {
        var branch = new WorkflowBuilder($"{workflow}/{target}").StartAt(target);
        foreach (var step in steps.Where(s => members.Contains(s.Id))) branch.AddStep(step);
        foreach (var edge in edges.Where(e => members.Contains(e.From)))
        {
            if (edge.IsError) branch.OnError(edge.From, edge.To);
            else branch.AddEdge(edge.From, edge.To, edge.Condition, edge.Label);
        }

        try
        {
            return branch.Build();
        }
        catch (WorkflowValidationException invalid)
        {
            problems.AddRange(invalid.Problems.Select(p => $"in the fan-out branch of '{target}': {p}"));
            return null!;
        }
    }
}
