namespace Baton.Yaml.Model.Steps;

/// <summary>
/// One step of a workflow file: what every step has (its id, the common options and where it is written); each
/// pattern adds its own settings in a record of its own (<see cref="SequentialDefinition"/>, <see cref="GraphDefinition"/>...).
/// </summary>
/// <param name="Line">1-based line of the step's pattern value (or agent name).</param>
/// <param name="Column">1-based column of the same.</param>
public abstract record StepDefinition(int Line, int Column)
{
    /// <summary>The step's id (explicit, or made from the agent's name or the pattern key, unique with -2, -3...).</summary>
    public string Id { get; init; } = "";

    /// <summary>True when the file gave the id.</summary>
    public bool ExplicitId { get; init; }

    /// <summary>Option: a template replacing the step's input.</summary>
    public string? InputTemplate { get; init; }

    /// <summary>Option: store the output in state under this name.</summary>
    public string? As { get; init; }

    /// <summary>Option: the retry policy.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Option: the step's timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Option: the fallback step.</summary>
    public StepDefinition? OnError { get; init; }

    /// <summary>Option: the resource it draws on.</summary>
    public string? Resource { get; init; }

    /// <summary>True when any common option (other than the id) is given.</summary>
    public bool HasOptions => InputTemplate is not null || As is not null || Retry is not null || Timeout is not null || OnError is not null || Resource is not null;
}
