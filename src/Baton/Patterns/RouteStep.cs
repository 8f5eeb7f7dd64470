using System.Text.Json;

namespace Baton;

/// <summary>
/// Manager-worker: a classifier picks a route; the route's specialists are tried in order with
/// the manager's context; a validator accepts or rejects each answer; a rejection hands the task,
/// with the reasons so far, to the next specialist, up to <see cref="MaxAttempts"/>.
/// Every call is journaled as a child of this step.
/// </summary>
public sealed class RouteStep : Step
{
    private readonly Workflow _classifier;
    private readonly Workflow? _validator;
    private readonly Dictionary<string, (string Key, Workflow[] Specialists)> _routes;

    /// <summary>Creates the step.</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="classifier">Replies with a route key (text, case-insensitive) or <c>{ "route": key, "context": ... }</c>.</param>
    /// <param name="routes">Route key to the specialists to try, in order.</param>
    /// <param name="validator">Replies yes/no, true/false, or <c>{ "approved": bool, "reason": text }</c>; null accepts every answer.</param>
    public RouteStep(string id, IAgent classifier, IReadOnlyDictionary<string, IReadOnlyList<IAgent>> routes, IAgent? validator = null)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.Count == 0) throw new ArgumentException("a route step needs at least one route", nameof(routes));
        _classifier = OneStep(classifier);
        _validator = validator is null ? null : OneStep(validator);
        _routes = new Dictionary<string, (string, Workflow[])>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, specialists) in routes)
        {
            if (specialists is null || specialists.Count == 0) throw new ArgumentException($"route '{key}' has no specialist", nameof(routes));
            _routes.Add(key, (key, specialists.Select(OneStep).ToArray()));
        }

        ClassifierName = classifier.Name;
        ValidatorName = validator?.Name;
    }

    /// <summary>The classifier's name.</summary>
    public string ClassifierName { get; }

    /// <summary>The validator's name, when there is one.</summary>
    public string? ValidatorName { get; }

    /// <summary>The route taken when the classifier names none of the routes; null fails the step instead.</summary>
    public string? DefaultRoute { get; init; }

    /// <summary>Specialists tried at most (first answer included); 2 by default.</summary>
    public int MaxAttempts { get; init; } = 2;

    /// <summary>The route keys.</summary>
    public IEnumerable<string> RouteKeys => _routes.Values.Select(r => r.Key);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children
    {
        get
        {
            yield return ("classify", _classifier);
            foreach (var (key, specialists) in _routes.Values)
            {
                foreach (var specialist in specialists) yield return ($"{key}: {specialist.Name}", specialist);
            }

            if (_validator is not null) yield return ("validate", _validator);
        }
    }

    internal override async ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var task = context.Input;
        var classified = await context.RunChildAsync(_classifier, "classify", task, cancellationToken).ConfigureAwait(false);
        if (!classified.IsSuccess) return classified;
        var (choice, managerContext) = ReadChoice(classified.Output);
        if (!_routes.TryGetValue(choice, out var route) && !(DefaultRoute is not null && _routes.TryGetValue(DefaultRoute, out route)))
        {
            return AgentResult.Failure(new StepError(ErrorKind.Recoverable,
                $"the classifier chose '{choice}', which is none of the routes ({string.Join(", ", RouteKeys)}){WorkflowBuilder.Suggest(choice, RouteKeys)}", Id) { Code = "route" });
        }

        var rejections = new List<Rejection>();
        var attempts = Math.Min(MaxAttempts, route.Specialists.Length);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var specialist = route.Specialists[attempt - 1];
            var brief = Payload.From(new RouteTask(task, route.Key, managerContext, attempt, rejections.ToArray()));
            var answer = await context.RunChildAsync(specialist, $"try{attempt}", brief, cancellationToken).ConfigureAwait(false);
            if (answer.Halt is not null) return answer;
            if (!answer.IsSuccess)
            {
                rejections.Add(new Rejection(specialist.Name, null, $"failed: {answer.Error!.Message}"));
                continue;
            }

            // Children's usage was counted when each of them committed; the route adds none of its own.
            if (_validator is null) return answer;
            var verdict = await context.RunChildAsync(_validator, $"validate{attempt}", Payload.From(new RouteAnswer(task, route.Key, specialist.Name, answer.Output)), cancellationToken).ConfigureAwait(false);
            if (!verdict.IsSuccess) return verdict;
            var (approved, reason) = ReadVerdict(verdict.Output);
            if (approved) return answer;
            rejections.Add(new Rejection(specialist.Name, answer.Output, reason));
        }

        return new AgentResult
        {
            Output = Payload.Empty,
            Error = new StepError(ErrorKind.Recoverable,
                $"no specialist's answer was accepted after {rejections.Count} attempt(s): {string.Join("; ", rejections.Select(r => $"{r.Specialist}: {r.Reason}"))}",
                Id, Payload.From(rejections)) { Code = "rejected" },
        };
    }

    private static (string Route, Payload? Context) ReadChoice(Payload output)
    {
        if (output.Kind == PayloadKind.Json && output.AsJson() is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("route", out var route))
        {
            return (route.GetString()?.Trim() ?? string.Empty, json.TryGetProperty("context", out var context) ? Payload.FromJson(context) : null);
        }

        return (output.AsText().Trim().Trim('"', '.', '\'').Trim(), null);
    }

    internal static (bool Approved, string Reason) ReadVerdict(Payload output)
    {
        if (output.Kind == PayloadKind.Json)
        {
            var json = output.AsJson();
            if (json.ValueKind is JsonValueKind.True or JsonValueKind.False) return (json.GetBoolean(), "the validator said no");
            if (json.ValueKind == JsonValueKind.Object)
            {
                var approved = (json.TryGetProperty("approved", out var a) || json.TryGetProperty("valid", out a)) && a.ValueKind == JsonValueKind.True;
                var reason = json.TryGetProperty("reason", out var r) ? r.ToString() : "the validator said no";
                return (approved, reason);
            }
        }

        var text = output.AsText().Trim();
        var word = text.Split([' ', ',', '.', ':', '\n'], 2)[0].ToLowerInvariant();
        var yes = word is "yes" or "true" or "approved" or "accept" or "accepted" or "ok" or "valid";
        return (yes, text.Length == 0 ? "the validator gave no answer" : text);
    }

    private static Workflow OneStep(IAgent agent) =>
        Workflow.Of(agent);
}
