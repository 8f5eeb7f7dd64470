using Baton.Yaml.Expressions;
using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>
/// `states: { NAME: { do, next } }` with a sibling `start`: checks that every target exists and that no reachable
/// state loops for ever.
/// </summary>
internal sealed class StatesReader : IStepKindReader
{
    public string Keyword => "states";

    public IReadOnlyCollection<string> SiblingKeys { get; } = ["start"];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> stepKeys)
    {
        var nodes = steps.Nodes;
        var startNode = stepKeys.TryGetValue("start", out var startEntry) ? startEntry.Value : null;
        if (nodes.Mapping(value, "'states'") is not { } mapping) return null;
        var states = new List<StateDefinition>();
        var targets = new List<(YamlNode Node, string Target)>();
        foreach (var (nameNode, stateNode) in mapping.Children)
        {
            if (nodes.Name(nameNode, "a state's name") is not { } name) continue;
            if (name == "end") steps.Diagnostics.Add(nameNode, "'end' is reserved: it finishes the state machine");
            if (nodes.Mapping(stateNode, $"state '{name}'") is not { } spec) continue;
            var keys = nodes.Keys(spec, $"state '{name}'", ["do", "next"]);
            if (!keys.TryGetValue("do", out var @do))
            {
                steps.Diagnostics.Add(spec, $"state '{name}' needs 'do': the step it runs");
                continue;
            }

            if (steps.ReadStep(@do.Value, $"state '{name}'") is not { } step) continue;
            var state = new StateDefinition(name, step, StepReader.Line(nameNode), StepReader.Column(nameNode));
            if (keys.TryGetValue("next", out var next)) state = ReadNext(nodes, state, next.Value, targets);
            states.Add(state);
        }

        var names = states.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (node, target) in targets)
        {
            if (target != "end" && !names.Contains(target)) steps.Diagnostics.Add(node, $"there is no state '{target}'{DidYouMean.For(target, names.Append("end"))}");
        }

        string? start = null;
        if (startNode is not null && nodes.Name(startNode, "'start'") is { } s)
        {
            if (names.Contains(s)) start = s;
            else steps.Diagnostics.Add(startNode, $"'start' names state '{s}', which does not exist{DidYouMean.For(s, names)}");
        }

        if (states.Count == 0)
        {
            steps.Diagnostics.Add(value, "'states' needs at least one state");
            return null;
        }

        CheckStatesCanEnd(steps.Diagnostics, states, start ?? states[0].Name, names);
        return new StatesDefinition(states, start ?? states[0].Name, StepReader.Line(value), StepReader.Column(value));
    }

    private static StateDefinition ReadNext(YamlNodes nodes, StateDefinition state, YamlNode next, List<(YamlNode Node, string Target)> targets)
    {
        if (next is YamlScalarNode)
        {
            if (nodes.Name(next, "'next'") is not { } target) return state;
            targets.Add((next, target));
            return state with { Next = target };
        }

        if (nodes.Sequence(next, "'next'") is not { } list) return state;
        var transitions = new List<(Expression, string, int, int)>();
        string? fallback = null;
        foreach (var item in list)
        {
            if (nodes.Mapping(item, "a transition") is not { } transition) continue;
            var tk = nodes.Keys(transition, "a transition", ["when", "goto"]);
            if (!tk.TryGetValue("goto", out var @goto))
            {
                nodes.Diagnostics.Add(transition, "a transition needs 'goto' (and 'when', except for the last)");
                continue;
            }

            if (nodes.Name(@goto.Value, "'goto'") is not { } target) continue;
            targets.Add((@goto.Value, target));
            if (!tk.TryGetValue("when", out var when)) fallback = target;
            else if (nodes.Expression(when.Value, "'when'") is { } condition) transitions.Add((condition, target, StepReader.Line(item), StepReader.Column(item)));
        }

        return state with { Transitions = transitions, Next = fallback };
    }

    /// <summary>
    /// Every state must be reachable from the start (the workflow it becomes refuses one that is not), and every
    /// reachable state must be able to finish: a state whose every path loops for ever is an error.
    /// </summary>
    private static void CheckStatesCanEnd(Diagnostics diagnostics, List<StateDefinition> states, string start, HashSet<string> names)
    {
        var byName = states.ToDictionary(s => s.Name, StringComparer.Ordinal);
        IEnumerable<string> Successors(StateDefinition s) => s.Transitions.Select(t => t.Goto).Append(s.Next).OfType<string>().Where(names.Contains);
        // A state ends the machine when it has no unconditional next (no condition holding ends it) or its next is 'end'.
        // (A next naming a state that does not exist is reported already: it is not a loop.)
        var canEnd = states.Where(s => s.Next is null or "end" || !names.Contains(s.Next)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var state in states)
            {
                if (!canEnd.Contains(state.Name) && Successors(state).Any(canEnd.Contains)) changed = canEnd.Add(state.Name);
            }
        }

        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([start]);
        while (pending.TryPop(out var name))
        {
            if (!reachable.Add(name) || !byName.TryGetValue(name, out var state)) continue;
            foreach (var next in Successors(state)) pending.Push(next);
        }

        if (names.Contains(start))
        {
            foreach (var state in states.Where(s => !reachable.Contains(s.Name)))
            {
                diagnostics.Add(new YamlDotNet.Core.Mark(0, state.Line, state.Column), $"state '{state.Name}' can never run: no state leads to it from '{start}', the first state (add a 'next' or 'goto' to it, or remove it)");
            }
        }

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in states.Where(s => reachable.Contains(s.Name) && !canEnd.Contains(s.Name)))
        {
            // One error per loop, at its first state in the file.
            if (reported.Contains(state.Name)) continue;
            var loop = new List<string> { state.Name };
            for (var current = state; current.Next is { } next && byName.TryGetValue(next, out var following) && !loop.Contains(next); current = following) loop.Add(next);
            reported.UnionWith(loop);
            diagnostics.Add(new YamlDotNet.Core.Mark(0, state.Line, state.Column), $"state '{state.Name}' can never reach the end: it loops {string.Join(" -> ", loop)} -> {byName[loop[^1]].Next} for ever (add a 'when' condition or a way to 'end')");
        }
    }
}
