using System.Globalization;
using System.Text.Json;

namespace Baton;

/// <summary>Runs a body workflow once per item of its input array, at once, with results in item order.</summary>
public sealed class ForEachStep : Step
{
    /// <summary>Creates the step; <paramref name="items"/> picks the items, else the input must be a JSON array.</summary>
    public ForEachStep(string id, Workflow body, Func<Payload, IReadOnlyList<Payload>>? items = null)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = body;
        Items = items;
    }

    /// <summary>
    /// Creates the step with items picked by a function that also sees the step's context (the run state, for
    /// example); an <see cref="AgentException"/> it throws fails the step with its kind and code.
    /// </summary>
    public ForEachStep(string id, Workflow body, Func<Payload, IStepContext, IReadOnlyList<Payload>> items)
        : this(id, body)
    {
        ArgumentNullException.ThrowIfNull(items);
        ItemsInContext = items;
    }

    /// <summary>Picks the items out of the input, seeing the step's context; when set, <see cref="Items"/> is null.</summary>
    public Func<Payload, IStepContext, IReadOnlyList<Payload>>? ItemsInContext { get; }

    /// <summary>What runs for each item; the item is its input.</summary>
    public Workflow Body { get; }

    /// <summary>Picks the items out of the input; null to take the input as a JSON array.</summary>
    public Func<Payload, IReadOnlyList<Payload>>? Items { get; }

    /// <summary>How the items' results become one output; a list by default.</summary>
    public Merge Merge { get; init; } = Merge.List;

    /// <summary>Items that may run at once (the run's limit applies too); null for all.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int? MaxParallel
    {
        get;
        init => field = RunLimits.CheckParallel(value, nameof(MaxParallel));
    }

    /// <summary>What a failing item does to the step.</summary>
    public BranchFailureMode OnBranchFailure { get; init; }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children =>
        Merge.ChildWorkflow is { } merge ? [("each item", Body), ("merge", merge)] : [("each item", Body)];

    internal override ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<Payload> items;
        try
        {
            items = ItemsInContext is { } pick ? pick(context.Input, context) : Items is null ? SplitArray(context.Input) : Items(context.Input);
        }
        catch (AgentException ex)
        {
            return new ValueTask<AgentResult>(AgentResult.Failure(ErrorClassifier.Classify(ex, Id)));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return new ValueTask<AgentResult>(AgentResult.Failure(new StepError(ErrorKind.Recoverable,
                $"foreach '{Id}' needs an array of items: {ex.Message}", Id) { Code = "items" }));
        }

        var branches = new (string, Workflow, Payload)[items.Count];
        for (var i = 0; i < branches.Length; i++) branches[i] = (i.ToString(CultureInfo.InvariantCulture), Body, items[i]);
        return FanOut.RunAsync(context, branches, MaxParallel, Merge, OnBranchFailure, cancellationToken);
    }

    /// <summary>The elements of a JSON array (text holding a JSON array is parsed, as a model replies in text).</summary>
    internal static IReadOnlyList<Payload> SplitArray(Payload input)
    {
        var json = input.Kind == PayloadKind.Text ? Payload.ParseJson(input.AsText()).AsJson() : input.AsJson();
        if (json.ValueKind != JsonValueKind.Array) throw new InvalidOperationException($"the input is {json.ValueKind.ToString().ToLowerInvariant()}, not an array");
        var items = new List<Payload>(json.GetArrayLength());
        foreach (var element in json.EnumerateArray()) items.Add(Payload.FromJson(element));
        return items;
    }
}
