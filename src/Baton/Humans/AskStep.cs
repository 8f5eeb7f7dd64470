namespace Baton;

/// <summary>
/// A step that asks a person and outputs the answer: human in the loop. The run waits — in memory for up to
/// <see cref="BatonRuntime.HumanWaitInMemory"/>, then suspended in the store — until someone answers through
/// <see cref="HumanRequests.AnswerAsync"/>, in this process or another, even after a restart.
/// </summary>
public sealed class AskStep : Step
{
    private readonly Func<Payload, IRunStateView, HumanQuestion> _question;

    /// <summary>Creates a step asking a fixed question.</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="question">What to ask.</param>
    public AskStep(string id, HumanQuestion question) : base(id)
    {
        ArgumentNullException.ThrowIfNull(question);
        _question = (_, _) => question;
    }

    /// <summary>Creates a step whose question is made from its input and the run's state when it runs (a prompt template).</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="question">Makes the question from the step's input and the run's state.</param>
    public AskStep(string id, Func<Payload, IRunStateView, HumanQuestion> question) : base(id)
    {
        ArgumentNullException.ThrowIfNull(question);
        _question = question;
    }

    internal override async ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var question = _question(context.Input, context.State);
        var answer = await context.AskAsync(context.Key, question, cancellationToken).ConfigureAwait(false);
        return AgentResult.Success(question.AnswerSchema is null ? Payload.FromText(answer) : Payload.ParseJson(answer));
    }
}
