namespace Baton.Yaml.Expressions;

/// <summary>The values an expression sees: <c>input</c>, <c>output</c>, <c>confidence</c>, <c>inputs</c>, <c>state</c> and <c>error</c>.</summary>
public sealed record ExpressionScope
{
    /// <summary>The step's input.</summary>
    public Payload? Input { get; init; }

    /// <summary>The last result's output.</summary>
    public Payload? Output { get; init; }

    /// <summary>The last result's confidence.</summary>
    public double? Confidence { get; init; }

    /// <summary>The workflow's inputs, as one object.</summary>
    public Payload? Inputs { get; init; }

    /// <summary>The run state, by name.</summary>
    public IRunStateView? State { get; init; }

    /// <summary>The error being handled, in an error route.</summary>
    public Payload? Error { get; init; }

    /// <summary>The number of the conversation turn that just ended (a group chat's <c>until</c>), else null.</summary>
    public int? Turn { get; init; }
}
