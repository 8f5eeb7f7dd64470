using System.Globalization;

namespace Baton.Tests.Properties;

/// <summary>
/// One step of a random workflow as data, before <see cref="MixedWorkflow"/> compiles it to the
/// pattern builders: CsCheck generates it (<see cref="MixedWorkflowGen"/>) and prints it when a property fails.
/// </summary>
internal abstract record StepSpec
{
    protected static string List(IEnumerable<StepSpec?> steps) => string.Join(", ", steps.Select(s => s?.ToString() ?? "-"));
}

/// <summary>An agent that hashes its input and may append to <c>log</c>, merge into <c>seen</c>, and publish an event and send a direct message.</summary>
internal sealed record LeafSpec(bool Append, bool Merge, bool Publish) : StepSpec
{
    public override string ToString() => "leaf" + (Append ? "+append" : "") + (Merge ? "+merge" : "") + (Publish ? "+publish" : "");
}

/// <summary>A nested pipeline.</summary>
internal sealed record SequenceSpec(StepSpec[] Steps) : StepSpec
{
    public override string ToString() => $"seq[{List(Steps)}]";
}

/// <summary>A fan-out over fixed branches, joined as a list or by name.</summary>
internal sealed record ParallelSpec(StepSpec[] Branches, bool ByName) : StepSpec
{
    public override string ToString() => $"par{(ByName ? "/byName" : "/list")}[{List(Branches)}]";
}

/// <summary>A foreach over items taken from the input: by an item function, or by a decomposer agent.</summary>
internal sealed record ForEachSpec(bool Decomposer, StepSpec Body) : StepSpec
{
    public override string ToString() => $"foreach{(Decomposer ? "/decomposer" : "/items")}[{Body}]";
}

/// <summary>Manager-worker: a classifier picks one of <see cref="Routes"/> routes, each with these specialists; a validator rejects some answers.</summary>
internal sealed record RouteSpec(int Routes, StepSpec[] Specialists) : StepSpec
{
    public override string ToString() => $"route/{Routes.ToString(CultureInfo.InvariantCulture)}[{List(Specialists)}]";
}

/// <summary>A majority vote; a voter is an answering agent, after a nested body when it has one.</summary>
internal sealed record VoteSpec(StepSpec?[] Voters, bool Tally) : StepSpec
{
    public override string ToString() => $"vote{(Tally ? "/tally" : "")}[{List(Voters)}]";
}

/// <summary>A state machine looping over a body while a state counter is below <see cref="Iterations"/> (a condition on state).</summary>
internal sealed record CounterLoopSpec(int Iterations, StepSpec Body) : StepSpec
{
    public override string ToString() => $"loop/{Iterations.ToString(CultureInfo.InvariantCulture)}[{Body}]";
}

/// <summary>A draft/review state machine that loops while the review's output says so, at most <see cref="Rounds"/> times (a condition on output).</summary>
internal sealed record ReviewLoopSpec(int Rounds) : StepSpec
{
    public override string ToString() => $"review/{Rounds.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A DAG: node i depends on the earlier nodes whose bits are set in <see cref="Dependencies"/>[i].</summary>
internal sealed record GraphSpec(StepSpec[] Nodes, int[] Dependencies, bool LastIsOutput) : StepSpec
{
    public override string ToString() =>
        $"graph{(LastIsOutput ? "/last" : "/all")}[{string.Join(", ", Nodes.Select((n, i) => $"{n}<{Dependencies[i].ToString(CultureInfo.InvariantCulture)}"))}]";
}
