using System.Text.Json.Nodes;

namespace Baton.Yaml;

/// <summary>The kinds of step a workflow file can write.</summary>
public enum StepKind
{
    /// <summary>An agent by name.</summary>
    Agent,

    /// <summary>Each output is the next input.</summary>
    Sequential,

    /// <summary>Branches at once, then a merge.</summary>
    Parallel,

    /// <summary>A step per item of an expression's array.</summary>
    ForEach,

    /// <summary>Manager-worker: classify, route to specialists, validate.</summary>
    Route,

    /// <summary>A state machine.</summary>
    States,

    /// <summary>Voters and a strategy.</summary>
    Vote,

    /// <summary>Human input.</summary>
    Ask,

    /// <summary>Publish an event.</summary>
    Emit,

    /// <summary>Write run state.</summary>
    Set,
}

/// <summary>One step of a workflow file, with its options and where it is written.</summary>
public sealed record StepDefinition(StepKind Kind, int Line, int Column)
{
    /// <summary>The step's id (explicit, or made from the agent's name or the pattern key, unique with -2, -3...).</summary>
    public string Id { get; set; } = "";

    /// <summary>True when the file gave the id.</summary>
    public bool ExplicitId { get; init; }

    /// <summary>The agent, for an agent step; a classifier, judge or merge agent elsewhere.</summary>
    public string? Agent { get; init; }

    /// <summary>Child steps: a sequence, or the <c>do</c> of a foreach.</summary>
    public IReadOnlyList<StepDefinition> Steps { get; init; } = [];

    /// <summary>Parallel branches or vote voters, by name.</summary>
    public IReadOnlyList<(string Name, StepDefinition Step)> Branches { get; init; } = [];

    /// <summary>Parallel merge: list, object, concat, vote, or an agent's name.</summary>
    public string Merge { get; init; } = "list";

    /// <summary>The vote settings of a <c>merge: vote</c>, or of a vote step.</summary>
    public VoteDefinition? Vote { get; init; }

    /// <summary>An expression: foreach items, route classify or validate.</summary>
    public Expression? Items { get; init; }

    /// <summary>Bound on branches or items at once.</summary>
    public int? MaxParallel { get; init; }

    /// <summary>Route: the classifier as an expression (else <see cref="Agent"/>).</summary>
    public Expression? ClassifyExpression { get; init; }

    /// <summary>Route: the specialists per route key, tried in order.</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<StepDefinition> Specialists)> Routes { get; init; } = [];

    /// <summary>Route: the key used when the classifier names none.</summary>
    public string? Default { get; init; }

    /// <summary>Route: the validator agent.</summary>
    public string? ValidateAgent { get; init; }

    /// <summary>Route: the validator as an expression.</summary>
    public Expression? ValidateExpression { get; init; }

    /// <summary>Route: specialists tried at most.</summary>
    public int MaxAttempts { get; init; } = 2;

    /// <summary>States: each state's step and transitions.</summary>
    public IReadOnlyList<StateDefinition> States { get; init; } = [];

    /// <summary>States: the first state.</summary>
    public string? Start { get; init; }

    /// <summary>Ask: the prompt template.</summary>
    public string? Prompt { get; init; }

    /// <summary>Emit: the topic.</summary>
    public string? Topic { get; init; }

    /// <summary>Emit: the data, whose strings are templates.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Set: state name and expression, in file order.</summary>
    public IReadOnlyList<(string Name, Expression Value)> Assignments { get; init; } = [];

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
}

/// <summary>A state of a state machine: its step and where to go next.</summary>
public sealed record StateDefinition(string Name, StepDefinition Do, int Line, int Column)
{
    /// <summary>The unconditional next state (or <c>end</c>), when there is one.</summary>
    public string? Next { get; init; }

    /// <summary>Conditional transitions, tried in order.</summary>
    public IReadOnlyList<(Expression When, string Goto, int Line, int Column)> Transitions { get; init; } = [];
}

/// <summary>How a vote decides.</summary>
public sealed record VoteDefinition(string Strategy, string? Judge, string OnTie);
