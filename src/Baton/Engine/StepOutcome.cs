namespace Baton;

/// <summary>What an edge condition sees: the step's input and result, and the run's state.</summary>
public readonly struct StepOutcome
{
    internal StepOutcome(Payload input, Payload output, double? confidence, IRunStateView state)
    {
        Input = input;
        Output = output;
        Confidence = confidence;
        State = state;
    }

    /// <summary>The step's input.</summary>
    public Payload Input { get; }

    /// <summary>The step's output.</summary>
    public Payload Output { get; }

    /// <summary>The step's confidence, when its agent gave one.</summary>
    public double? Confidence { get; }

    /// <summary>The run's state after the step's writes.</summary>
    public IRunStateView State { get; }
}
