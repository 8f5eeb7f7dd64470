using System.Globalization;

namespace Baton;

/// <summary>
/// A handoff: the agent in charge answers, or hands the conversation (and a reason) to one of its targets by calling
/// the <c>transfer_to_NAME</c> tool it is offered for each; the target continues with the whole transcript. The first
/// answer given without a transfer is the output. More than <see cref="MaxHandoffs"/> transfers fail the step with code
/// <c>handoff_limit</c>. Every turn is a child step, journaled and reported on its own, named after its agent, so a
/// resumed run replays the turns that completed (and whom they transferred to) and runs none of them again.
/// </summary>
public sealed class HandoffStep : Step
{
    private readonly Dictionary<string, ConversationSpeaker> _agents;

    /// <summary>Creates the step.</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="start">The name of the agent in charge first.</param>
    /// <param name="agents">The agents, by their names in the handoff.</param>
    /// <exception cref="ArgumentException">No agent, two of one name, an unknown start or target, or an agent that targets itself.</exception>
    public HandoffStep(string id, string start, IReadOnlyList<HandoffAgent> agents)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(agents);
        ArgumentException.ThrowIfNullOrWhiteSpace(start);
        if (agents.Count == 0) throw new ArgumentException("a handoff needs at least one agent", nameof(agents));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            if (!names.Add(agent.Name)) throw new ArgumentException($"two agents of the handoff are called '{agent.Name}'", nameof(agents));
        }

        if (!names.Contains(start)) throw new ArgumentException($"the handoff starts at '{start}', which is none of its agents ({string.Join(", ", names)}){WorkflowBuilder.Suggest(start, names)}", nameof(start));
        var byName = agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _agents = new Dictionary<string, ConversationSpeaker>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            var targets = new List<HandoffTarget>();
            foreach (var to in agent.To.Distinct(StringComparer.Ordinal))
            {
                if (to == agent.Name) throw new ArgumentException($"handoff agent '{agent.Name}' cannot transfer to itself", nameof(agents));
                if (!byName.TryGetValue(to, out var target)) throw new ArgumentException($"handoff agent '{agent.Name}' may transfer to '{to}', which is none of the handoff's agents{WorkflowBuilder.Suggest(to, names)}", nameof(agents));
                targets.Add(new HandoffTarget(to, target.Description));
            }

            _agents[agent.Name] = new ConversationSpeaker(agent.Name, agent.Agent, targets);
        }

        Start = start;
    }

    /// <summary>The agent in charge first.</summary>
    public string Start { get; }

    /// <summary>The most transfers (10 by default); one more fails the step with code <c>handoff_limit</c>.</summary>
    public int MaxHandoffs
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxHandoffs), value, "MaxHandoffs cannot be negative");
    } = 10;

    /// <summary>Each agent's name and the names it may transfer to.</summary>
    public IEnumerable<(string Name, IReadOnlyList<string> To)> Agents => _agents.Values.Select(a => (a.Name, (IReadOnlyList<string>)[.. a.Transfers.Select(t => t.Name)]));

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children => _agents.Values.Select(a => (a.Name, a.Workflow));

    internal override async ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var transcript = Transcript.Start(context.Input);
        var current = _agents[Start];
        var handoffs = 0;
        for (var turn = 1; ; turn++)
        {
            var result = await current.TakeTurnAsync(context, turn.ToString(CultureInfo.InvariantCulture), transcript, null, cancellationToken).ConfigureAwait(false);
            if (result.Halt is not null) return result;
            if (!result.IsSuccess) return AgentResult.Failure(result.Error! with { StepId = result.Error!.StepId ?? Id, Partial = result.Error.Partial ?? transcript.ToPayload() });

            // Turns' usage was counted when each committed; the handoff adds none of its own.
            if (ConversationSpeaker.TransferOf(result.Output) is not { } transfer)
            {
                return new AgentResult { Output = result.Output, Confidence = result.Confidence };
            }

            var said = ConversationSpeaker.TextOf(result.Output);
            var note = $"[transferred to {transfer.To}{(transfer.Reason.Length == 0 ? "" : ": " + transfer.Reason)}]";
            transcript = transcript.With(new TranscriptMessage(current.Name, said.Length == 0 ? note : said + "\n" + note));
            if (++handoffs > MaxHandoffs)
            {
                return AgentResult.Failure(new StepError(ErrorKind.Recoverable,
                    $"handoff '{Id}' passed its limit of {MaxHandoffs} transfer(s) ({string.Join(" → ", transcript.Messages.Select(m => m.From).Append(transfer.To))})", Id, transcript.ToPayload())
                {
                    Code = "handoff_limit",
                });
            }

            current = _agents[transfer.To];
        }
    }
}
