using YamlDotNet.RepresentationModel;

namespace Baton.Yaml;

internal sealed partial class WorkflowDocumentReader
{
    private static readonly string[] ParallelKeys = ["branches", "merge", "maxParallel"];
    private static readonly string[] ForEachKeys = ["items", "do", "merge", "maxParallel"];
    private static readonly string[] RouteKeys = ["classify", "routes", "default", "validate", "maxAttempts"];
    private static readonly string[] VoteKeys = ["voters", "strategy", "judge", "onTie"];
    private static readonly string[] Strategies = ["unanimous", "majority", "weighted", "judge"];
    private static readonly string[] TieRules = ["first", "judge", "human"];
    private static readonly string[] Merges = ["list", "object", "concat"];

    private IReadOnlySet<string> _agentNames = new HashSet<string>();

    private StepDefinition? ReadStep(YamlNode node, string where)
    {
        if (node is YamlScalarNode scalar)
        {
            if (_nodes.Name(node, "a step") is not { } agent) return null;
            _agentReferences.Add((scalar, agent));
            return Identify(new StepDefinition(StepKind.Agent, Line(node), Column(node)) { Agent = agent }, agent, null);
        }

        if (_nodes.Mapping(node, $"a step in {where}") is not { } mapping) return null;
        var patterns = mapping.Children.Keys.OfType<YamlScalarNode>().Where(k => PatternKeys.Contains(k.Value) || k.Value == "agent").ToArray();
        if (patterns.Length != 1)
        {
            _diagnostics.Add(mapping, patterns.Length == 0
                ? $"a step needs an agent's name, 'agent:', or one of {string.Join(", ", PatternKeys)}{SuggestPattern(mapping)}"
                : $"a step has one pattern key, not {string.Join(" and ", patterns.Select(p => $"'{p.Value}'"))}");
            return null;
        }

        var pattern = patterns[0].Value!;
        var allowed = new HashSet<string>(OptionKeys, StringComparer.Ordinal) { pattern };
        if (pattern == "states") allowed.Add("start");
        var keys = _nodes.Keys(mapping, $"a '{pattern}' step", allowed);
        var value = keys[pattern].Value;
        var step = pattern switch
        {
            "agent" => ReadAgentStep(value),
            "sequential" => ReadSequential(value),
            "parallel" => ReadParallel(value),
            "foreach" => ReadForEach(value),
            "route" => ReadRoute(value),
            "states" => ReadStates(value, keys.TryGetValue("start", out var start) ? start.Value : null),
            "vote" => ReadVote(value),
            "ask" => ReadAsk(value),
            "emit" => ReadEmit(value),
            _ => ReadSet(value),
        };
        if (step is null) return null;
        step = step with
        {
            InputTemplate = keys.TryGetValue("input", out var input) ? _nodes.Template(input.Value, "'input'") : null,
            As = keys.TryGetValue("as", out var @as) ? _nodes.Name(@as.Value, "'as'") : null,
            Retry = keys.TryGetValue("retry", out var retry) ? ReadRetry(retry.Value) : null,
            Timeout = keys.TryGetValue("timeout", out var timeout) ? _nodes.Duration(timeout.Value, "'timeout'") : null,
            OnError = keys.TryGetValue("onError", out var onError) ? ReadStep(onError.Value, "'onError'") : null,
            Resource = keys.TryGetValue("resource", out var resource) ? ResourceReference(resource.Value) : null,
        };
        var explicitId = keys.TryGetValue("id", out var id) ? _nodes.Name(id.Value, "'id'") : null;
        return Identify(step, step.Kind == StepKind.Agent ? step.Agent! : pattern, explicitId, id.Value);
    }

    /// <summary>Gives a step its id: the one written, else the agent's name or the pattern key, made unique with -2, -3...</summary>
    private StepDefinition Identify(StepDefinition step, string name, string? explicitId, YamlNode? idNode = null)
    {
        if (explicitId is not null)
        {
            if (_ids.ContainsKey(explicitId)) _diagnostics.Add(idNode!, $"id '{explicitId}' is used by another step");
            _ids[explicitId] = 1;
            step.Id = explicitId;
            return step with { ExplicitId = true, Id = explicitId };
        }

        var count = _ids.TryGetValue(name, out var n) ? n + 1 : 1;
        _ids[name] = count;
        var unique = count == 1 ? name : $"{name}-{count}";
        while (count > 1 && _ids.ContainsKey(unique)) unique = $"{name}-{++count}";
        _ids[unique] = Math.Max(1, _ids.GetValueOrDefault(unique));
        step.Id = unique;
        return step;
    }

    private string SuggestPattern(YamlMappingNode mapping)
    {
        foreach (var key in mapping.Children.Keys.OfType<YamlScalarNode>())
        {
            if (key.Value is { } k && !OptionKeys.Contains(k) && Baton.Suggestions.Closest(k, PatternKeys) is { } near) return $" ('{k}': did you mean '{near}'?)";
        }

        return "";
    }

    private StepDefinition? ReadAgentStep(YamlNode value)
    {
        if (_nodes.Name(value, "'agent'") is not { } agent) return null;
        _agentReferences.Add((value, agent));
        return new StepDefinition(StepKind.Agent, Line(value), Column(value)) { Agent = agent };
    }

    private StepDefinition? ReadSequential(YamlNode value)
    {
        if (_nodes.Sequence(value, "'sequential'") is not { } list) return null;
        if (list.Children.Count == 0) _diagnostics.Add(value, "'sequential' needs at least one step");
        return new StepDefinition(StepKind.Sequential, Line(value), Column(value)) { Steps = [.. list.Select(s => ReadStep(s, "'sequential'")).OfType<StepDefinition>()] };
    }

    private StepDefinition? ReadParallel(YamlNode value)
    {
        if (_nodes.Mapping(value, "'parallel'") is not { } mapping) return null;
        var keys = _nodes.Keys(mapping, "'parallel'", ParallelKeys);
        if (!keys.TryGetValue("branches", out var branchesNode))
        {
            _diagnostics.Add(mapping, "'parallel' needs 'branches': a list of steps or a map of name: step");
            return null;
        }

        var branches = new List<(string, StepDefinition)>();
        if (branchesNode.Value is YamlSequenceNode list)
        {
            foreach (var item in list) if (ReadStep(item, "'branches'") is { } branch) branches.Add((branch.Id, branch));
        }
        else if (branchesNode.Value is YamlMappingNode map)
        {
            foreach (var (nameNode, stepNode) in map.Children)
            {
                if (_nodes.Name(nameNode, "a branch's name") is { } name && ReadStep(stepNode, $"branch '{name}'") is { } branch) branches.Add((name, branch));
            }
        }
        else
        {
            _diagnostics.Add(branchesNode.Value, "'branches' is a list of steps or a map of name: step");
        }

        if (branches.Count == 0) _diagnostics.Add(branchesNode.Value, "'parallel' needs at least one branch");
        var (merge, vote) = keys.TryGetValue("merge", out var m) ? ReadMerge(m.Value) : ("list", null);
        return new StepDefinition(StepKind.Parallel, Line(value), Column(value))
        {
            Branches = branches,
            Merge = merge,
            Vote = vote,
            MaxParallel = keys.TryGetValue("maxParallel", out var mp) ? _nodes.Integer(mp.Value, "'maxParallel'", 1) : null,
        };
    }

    private (string Merge, VoteDefinition? Vote) ReadMerge(YamlNode node)
    {
        if (node is YamlMappingNode map)
        {
            var keys = _nodes.Keys(map, "'merge'", ["vote"]);
            return keys.TryGetValue("vote", out var vote) ? ("vote", ReadVoteSettings(vote.Value, requireVoters: false).Settings) : ("list", null);
        }

        var merge = _nodes.Text(node, "'merge'");
        if (merge is null || Merges.Contains(merge)) return (merge ?? "list", null);
        // Any other name is an agent that merges (it gets the list).
        _agentReferences.Add((node, merge));
        return (merge, null);
    }

    private StepDefinition? ReadForEach(YamlNode value)
    {
        if (_nodes.Mapping(value, "'foreach'") is not { } mapping) return null;
        var keys = _nodes.Keys(mapping, "'foreach'", ForEachKeys);
        if (!keys.TryGetValue("items", out var items) || !keys.TryGetValue("do", out var @do))
        {
            _diagnostics.Add(mapping, "'foreach' needs 'items' (an expression giving an array) and 'do' (the step per item)");
            return null;
        }

        var step = ReadStep(@do.Value, "'do'");
        var (merge, vote) = keys.TryGetValue("merge", out var m) ? ReadMerge(m.Value) : ("list", null);
        return new StepDefinition(StepKind.ForEach, Line(value), Column(value))
        {
            Items = _nodes.Expression(items.Value, "'items'"),
            Steps = step is null ? [] : [step],
            Merge = merge,
            Vote = vote,
            MaxParallel = keys.TryGetValue("maxParallel", out var mp) ? _nodes.Integer(mp.Value, "'maxParallel'", 1) : null,
        };
    }

    private StepDefinition? ReadRoute(YamlNode value)
    {
        if (_nodes.Mapping(value, "'route'") is not { } mapping) return null;
        var keys = _nodes.Keys(mapping, "'route'", RouteKeys);
        if (!keys.TryGetValue("classify", out var classify) || !keys.TryGetValue("routes", out var routesNode))
        {
            _diagnostics.Add(mapping, "'route' needs 'classify' (an agent or an expression) and 'routes'");
            return null;
        }

        var routes = new List<(string, IReadOnlyList<StepDefinition>)>();
        if (_nodes.Mapping(routesNode.Value, "'routes'") is { } routeMap)
        {
            foreach (var (keyNode, stepsNode) in routeMap.Children)
            {
                if (_nodes.Text(keyNode, "a route key") is not { } key) continue;
                var specialists = stepsNode is YamlSequenceNode list
                    ? list.Select(s => ReadStep(s, $"route '{key}'")).OfType<StepDefinition>().ToArray()
                    : ReadStep(stepsNode, $"route '{key}'") is { } single ? [single] : [];
                routes.Add((key, specialists));
            }
        }

        string? defaultKey = null;
        if (keys.TryGetValue("default", out var d) && _nodes.Text(d.Value, "'default'") is { } dk)
        {
            if (routes.Any(r => string.Equals(r.Item1, dk, StringComparison.OrdinalIgnoreCase))) defaultKey = dk;
            else _diagnostics.Add(d.Value, $"'default' names route '{dk}', which 'routes' does not have{DidYouMean.For(dk, routes.Select(r => r.Item1))}");
        }

        var (classifyAgent, classifyExpression) = AgentOrExpression(classify.Value, "'classify'");
        var (validateAgent, validateExpression) = keys.TryGetValue("validate", out var v) ? AgentOrExpression(v.Value, "'validate'") : (null, null);
        return new StepDefinition(StepKind.Route, Line(value), Column(value))
        {
            Agent = classifyAgent,
            ClassifyExpression = classifyExpression,
            Routes = routes,
            Default = defaultKey,
            ValidateAgent = validateAgent,
            ValidateExpression = validateExpression,
            MaxAttempts = keys.TryGetValue("maxAttempts", out var ma) ? _nodes.Integer(ma.Value, "'maxAttempts'", 1) ?? 2 : 2,
        };
    }

    /// <summary>A known agent's name is that agent; anything else is an expression.</summary>
    private (string? Agent, Expression? Expression) AgentOrExpression(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } text } && _agentNames.Contains(text)) return (text, null);
        return (null, _nodes.Expression(node, what));
    }

    private StepDefinition? ReadStates(YamlNode value, YamlNode? startNode)
    {
        if (_nodes.Mapping(value, "'states'") is not { } mapping) return null;
        var states = new List<StateDefinition>();
        var targets = new List<(YamlNode Node, string Target)>();
        foreach (var (nameNode, stateNode) in mapping.Children)
        {
            if (_nodes.Name(nameNode, "a state's name") is not { } name) continue;
            if (name == "end") _diagnostics.Add(nameNode, "'end' is reserved: it finishes the state machine");
            if (_nodes.Mapping(stateNode, $"state '{name}'") is not { } spec) continue;
            var keys = _nodes.Keys(spec, $"state '{name}'", ["do", "next"]);
            if (!keys.TryGetValue("do", out var @do))
            {
                _diagnostics.Add(spec, $"state '{name}' needs 'do': the step it runs");
                continue;
            }

            if (ReadStep(@do.Value, $"state '{name}'") is not { } step) continue;
            var state = new StateDefinition(name, step, Line(nameNode), Column(nameNode));
            if (keys.TryGetValue("next", out var next))
            {
                if (next.Value is YamlScalarNode)
                {
                    if (_nodes.Name(next.Value, "'next'") is { } target)
                    {
                        targets.Add((next.Value, target));
                        state = state with { Next = target };
                    }
                }
                else if (_nodes.Sequence(next.Value, "'next'") is { } list)
                {
                    var transitions = new List<(Expression, string, int, int)>();
                    string? fallback = null;
                    foreach (var item in list)
                    {
                        if (_nodes.Mapping(item, "a transition") is not { } transition) continue;
                        var tk = _nodes.Keys(transition, "a transition", ["when", "goto"]);
                        if (!tk.TryGetValue("goto", out var @goto))
                        {
                            _diagnostics.Add(transition, "a transition needs 'goto' (and 'when', except for the last)");
                            continue;
                        }

                        if (_nodes.Name(@goto.Value, "'goto'") is not { } target) continue;
                        targets.Add((@goto.Value, target));
                        if (!tk.TryGetValue("when", out var when)) fallback = target;
                        else if (_nodes.Expression(when.Value, "'when'") is { } condition) transitions.Add((condition, target, Line(item), Column(item)));
                    }

                    state = state with { Transitions = transitions, Next = fallback };
                }
            }

            states.Add(state);
        }

        var names = states.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (node, target) in targets)
        {
            if (target != "end" && !names.Contains(target)) _diagnostics.Add(node, $"there is no state '{target}'{DidYouMean.For(target, names.Append("end"))}");
        }

        string? start = null;
        if (startNode is not null && _nodes.Name(startNode, "'start'") is { } s)
        {
            if (names.Contains(s)) start = s;
            else _diagnostics.Add(startNode, $"'start' names state '{s}', which does not exist{DidYouMean.For(s, names)}");
        }

        if (states.Count == 0) _diagnostics.Add(value, "'states' needs at least one state");
        else CheckStatesCanEnd(states, start ?? states[0].Name, names);
        return new StepDefinition(StepKind.States, Line(value), Column(value)) { States = states, Start = start ?? states.FirstOrDefault()?.Name };
    }

    /// <summary>Every reachable state must be able to finish: a state whose every path loops for ever is an error.</summary>
    private void CheckStatesCanEnd(List<StateDefinition> states, string start, HashSet<string> names)
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

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in states.Where(s => reachable.Contains(s.Name) && !canEnd.Contains(s.Name)))
        {
            // One error per loop, at its first state in the file.
            if (reported.Contains(state.Name)) continue;
            var loop = new List<string> { state.Name };
            for (var current = state; current.Next is { } next && byName.TryGetValue(next, out var following) && !loop.Contains(next); current = following) loop.Add(next);
            reported.UnionWith(loop);
            _diagnostics.Add(new YamlDotNet.Core.Mark(0, state.Line, state.Column), $"state '{state.Name}' can never reach the end: it loops {string.Join(" -> ", loop)} -> {byName[loop[^1]].Next} for ever (add a 'when' condition or a way to 'end')");
        }
    }

    private StepDefinition? ReadVote(YamlNode value)
    {
        var (settings, voters) = ReadVoteSettings(value, requireVoters: true);
        return settings is null ? null : new StepDefinition(StepKind.Vote, Line(value), Column(value)) { Vote = settings, Branches = voters };
    }

    private (VoteDefinition? Settings, List<(string, StepDefinition)> Voters) ReadVoteSettings(YamlNode value, bool requireVoters)
    {
        var voters = new List<(string, StepDefinition)>();
        if (_nodes.Mapping(value, "'vote'") is not { } mapping) return (null, voters);
        var keys = _nodes.Keys(mapping, "'vote'", requireVoters ? VoteKeys : ["strategy", "judge", "onTie"]);
        if (requireVoters)
        {
            if (!keys.TryGetValue("voters", out var v) || _nodes.Sequence(v.Value, "'voters'") is not { } list)
            {
                if (!keys.ContainsKey("voters")) _diagnostics.Add(mapping, "'vote' needs 'voters': a list of agents");
                return (null, voters);
            }

            foreach (var item in list) if (ReadStep(item, "'voters'") is { } voter) voters.Add((voter.Id, voter));
        }

        var strategy = "majority";
        if (keys.TryGetValue("strategy", out var s) && _nodes.Text(s.Value, "'strategy'") is { } st)
        {
            if (Strategies.Contains(st)) strategy = st;
            else _diagnostics.Add(s.Value, $"unknown strategy '{st}'{DidYouMean.For(st, Strategies)}: use {string.Join(", ", Strategies)}");
        }

        string? judge = null;
        if (keys.TryGetValue("judge", out var j) && _nodes.Name(j.Value, "'judge'") is { } judgeName)
        {
            judge = judgeName;
            _agentReferences.Add((j.Value, judgeName));
        }

        var onTie = "first";
        if (keys.TryGetValue("onTie", out var t) && _nodes.Text(t.Value, "'onTie'") is { } tie)
        {
            if (TieRules.Contains(tie)) onTie = tie;
            else _diagnostics.Add(t.Value, $"unknown tie rule '{tie}'{DidYouMean.For(tie, TieRules)}: use {string.Join(", ", TieRules)}");
        }

        if ((strategy == "judge" || onTie == "judge") && judge is null) _diagnostics.Add(mapping, "a vote decided by a judge needs 'judge': the judging agent");
        return (new VoteDefinition(strategy, judge, onTie), voters);
    }

    private StepDefinition? ReadAsk(YamlNode value)
    {
        var prompt = _nodes.Template(value, "'ask'");
        return prompt is null ? null : new StepDefinition(StepKind.Ask, Line(value), Column(value)) { Prompt = prompt };
    }

    private StepDefinition? ReadEmit(YamlNode value)
    {
        if (_nodes.Mapping(value, "'emit'") is not { } mapping) return null;
        var keys = _nodes.Keys(mapping, "'emit'", ["topic", "data"]);
        if (!keys.TryGetValue("topic", out var topic))
        {
            _diagnostics.Add(mapping, "'emit' needs 'topic'");
            return null;
        }

        if (keys.TryGetValue("data", out var data)) CheckTemplates(data.Value);
        return new StepDefinition(StepKind.Emit, Line(value), Column(value))
        {
            Topic = _nodes.Text(topic.Value, "'topic'"),
            Data = keys.TryGetValue("data", out var d) ? YamlNodes.ToJson(d.Value) : null,
        };
    }

    /// <summary>Strings inside emitted data are templates: check each where it is written.</summary>
    private void CheckTemplates(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar when scalar.Value?.Contains("{{", StringComparison.Ordinal) == true || scalar.Value?.Contains("{%", StringComparison.Ordinal) == true:
                _nodes.Template(scalar, "'data'");
                break;
            case YamlMappingNode mapping:
                foreach (var child in mapping.Children.Values) CheckTemplates(child);
                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children) CheckTemplates(child);
                break;
        }
    }

    private StepDefinition? ReadSet(YamlNode value)
    {
        if (_nodes.Mapping(value, "'set'") is not { } mapping) return null;
        var assignments = new List<(string, Expression)>();
        foreach (var (nameNode, expressionNode) in mapping.Children)
        {
            if (_nodes.Name(nameNode, "a state name") is { } name && _nodes.Expression(expressionNode, $"'set' of '{name}'") is { } expression) assignments.Add((name, expression));
        }

        return new StepDefinition(StepKind.Set, Line(value), Column(value)) { Assignments = assignments };
    }

    private RetryPolicy? ReadRetry(YamlNode node)
    {
        if (_nodes.Mapping(node, "'retry'") is not { } mapping) return null;
        var keys = _nodes.Keys(mapping, "'retry'", ["maxAttempts", "backoff"]);
        var policy = new RetryPolicy();
        if (keys.TryGetValue("maxAttempts", out var ma) && _nodes.Integer(ma.Value, "'maxAttempts'", 1) is { } attempts) policy = policy with { MaxAttempts = attempts };
        if (keys.TryGetValue("backoff", out var b) && _nodes.Duration(b.Value, "'backoff'") is { } backoff) policy = policy with { InitialDelay = backoff };
        return policy;
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static int Column(YamlNode node) => (int)node.Start.Column;
}
