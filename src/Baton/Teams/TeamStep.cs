using System.Text.Json.Nodes;
using System.Text.Json;

namespace Baton;

/// <summary>
/// A planner-led team (Magentic-style): each round the manager reads the task, the conversation and its progress
/// ledger, and answers JSON <c>{ next, instruction }</c> naming a member and its instruction, or
/// <c>{ next: "done", answer }</c>. The member's output goes back to the manager. A reply that is not valid (not
/// JSON, an unknown member, no instruction) goes back to the manager with the reason. When progress stalls — the same
/// member and instruction twice in a row (not run again), or a member that fails — the manager is asked to re-plan.
/// More than <see cref="MaxRounds"/> manager turns fail the step (code <c>round_limit</c>). Every manager and member
/// turn is a child of this step, numbered in order and named after its agent (<c>team/1/manager</c>,
/// <c>team/2/researcher</c>), so a resumed run replays the turns that completed and runs none of them again.
/// </summary>
public sealed class TeamStep : Step
{
    /// <summary>The <c>next</c> that ends the team with its <c>answer</c>.</summary>
    public const string Done = "done";

    /// <summary>The speaker (<c>from</c>) of the team's own notes to the manager: the briefing, refused replies, re-plan requests.</summary>
    public const string TeamSpeaker = "team";

    private readonly ConversationSpeaker _manager;
    private readonly Dictionary<string, ConversationSpeaker> _members = new(StringComparer.Ordinal);
    private readonly string[] _memberNames;

    /// <summary>Creates the step.</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="manager">Decides each round; receives the manager's view of the conversation: <c>{ task, messages: [{ from, text }], members, round, maxRounds, plan, ledger, replan }</c>.</param>
    /// <param name="members">The members, each named once; each receives <c>{ task, messages, instruction }</c>: the conversation ending with its instruction.</param>
    /// <exception cref="ArgumentException">No members, a name used twice, or a member named <c>done</c> or <c>team</c>.</exception>
    public TeamStep(string id, IAgent manager, IReadOnlyList<IAgent> members)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("a team needs at least one member", nameof(members));
        _manager = new ConversationSpeaker(manager.Name, manager);
        foreach (var member in members)
        {
            ArgumentNullException.ThrowIfNull(member, nameof(members));
            if (string.Equals(member.Name, Done, StringComparison.OrdinalIgnoreCase) || string.Equals(member.Name, TeamSpeaker, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"a member may not be called '{member.Name}': the manager answers \"{Done}\" to finish, and the team's notes come from \"{TeamSpeaker}\"", nameof(members));
            }

            if (string.Equals(member.Name, manager.Name, StringComparison.Ordinal)) throw new ArgumentException($"'{member.Name}' is the manager; it cannot be a member too", nameof(members));
            if (!_members.TryAdd(member.Name, new ConversationSpeaker(member.Name, member))) throw new ArgumentException($"member '{member.Name}' is named twice", nameof(members));
        }

        _memberNames = [.. members.Select(m => m.Name)];
        ManagerName = manager.Name;
    }

    /// <summary>The manager's name.</summary>
    public string ManagerName { get; }

    /// <summary>The members' names, in order.</summary>
    public IReadOnlyList<string> MemberNames => _memberNames;

    /// <summary>Manager turns at most (each round is one); 10 by default. One more fails the step with code <c>round_limit</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1.</exception>
    public int MaxRounds
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxRounds), value, "a team needs at least 1 round");
    } = 10;

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children =>
        _memberNames.Select(name => (name, _members[name].Workflow)).Prepend((ManagerName, _manager.Workflow));

    internal override async ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var task = context.Input;
        // The conversation the members see, and the manager's view of it (with the team's notes between).
        var conversation = new List<TranscriptMessage>();
        var managerView = new List<TranscriptMessage> { new(TeamSpeaker, Briefing()) };
        var ledger = new List<TeamRound>();
        string? plan = null;
        string? stalled = null;
        (string Member, string Instruction)? previous = null;
        var turn = 0;
        for (var round = 1; round <= MaxRounds; round++)
        {
            // A conversational (model) manager reads the view as chat history and the round's state as its prompt; any
            // other agent reads the same as properties of its input.
            var managerInput = ConversationSpeaker.Input(new Transcript(task, managerView), RoundPrompt(round, plan, ledger, stalled), ManagerContext(round, plan, ledger, stalled));
            var reply = await _manager.TakeTurnAsync(context, (++turn).ToString(System.Globalization.CultureInfo.InvariantCulture), managerInput, cancellationToken).ConfigureAwait(false);
            // A manager that fails (after its retries) fails the team: there is no one left to decide.
            if (!reply.IsSuccess) return reply;
            managerView.Add(new TranscriptMessage(ManagerName, reply.Output.AsText()));
            var (decision, problem) = TeamDecision.Read(reply.Output, _memberNames);
            if (decision is null)
            {
                ledger.Add(new TeamRound(round, null, null, $"refused: {problem}"));
                managerView.Add(new TranscriptMessage(TeamSpeaker, $"Your reply was not used: {problem}. {Format()}"));
                continue;
            }

            plan = decision.Plan ?? plan;
            if (decision.IsDone) return AgentResult.Success(decision.Answer!);
            var (member, instruction) = (decision.Next, decision.Instruction!);
            if (previous == (member, instruction))
            {
                // The same step twice in a row makes no progress: it is not run again; the manager re-plans instead.
                stalled = $"'{member}' was given the same instruction twice in a row";
                ledger.Add(new TeamRound(round, member, instruction, $"stalled: {stalled}"));
                managerView.Add(new TranscriptMessage(TeamSpeaker, $"Progress stalled: {stalled}, so it was not run again. {Replan()}"));
                previous = null;
                continue;
            }

            previous = (member, instruction);
            var order = new TranscriptMessage(ManagerName, $"To {member}: {instruction}");
            conversation.Add(order);
            // The instruction is the turn's prompt: a conversational model agent reads it after the history.
            var memberInput = ConversationSpeaker.Input(new Transcript(task, conversation), instruction, [new("instruction", instruction)]);
            var answer = await _members[member].TakeTurnAsync(context, (++turn).ToString(System.Globalization.CultureInfo.InvariantCulture), memberInput, cancellationToken).ConfigureAwait(false);
            if (answer.Halt is not null) return answer;
            if (!answer.IsSuccess)
            {
                // A failed attempt is the manager's business: the members' conversation goes on without it.
                conversation.RemoveAt(conversation.Count - 1);
                stalled = $"'{member}' failed: {answer.Error!.Message}";
                ledger.Add(new TeamRound(round, member, instruction, $"failed: {answer.Error.Message}"));
                managerView.Add(new TranscriptMessage(TeamSpeaker, $"Progress stalled: {stalled}. {Replan()}"));
                continue;
            }

            stalled = null;
            var said = new TranscriptMessage(member, answer.Output.AsText());
            conversation.Add(said);
            managerView.Add(said);
            ledger.Add(new TeamRound(round, member, instruction, "answered"));
        }

        return AgentResult.Failure(new StepError(ErrorKind.Recoverable,
            $"team '{Id}' gave no answer within {MaxRounds} round(s); the last: {(ledger.Count == 0 ? "none" : Describe(ledger[^1]))}",
            Id, new Transcript(task, conversation).ToPayload()) { Code = "round_limit" });
    }

    private string Briefing() =>
        $"You lead a team whose members are: {string.Join(", ", _memberNames)}. Each round, decide the next step. {Format()} " +
        $"Add \"plan\": \"...\" to write down or revise your plan. You have {MaxRounds} round(s).";

    private static string Format() =>
        "Reply with JSON only: {\"next\": \"<member>\", \"instruction\": \"<what the member should do>\"}, " +
        $"or {{\"next\": \"{Done}\", \"answer\": \"<the final answer>\"}} when the task is done.";

    private static string Replan() =>
        "Revise your plan (reply with \"plan\") and choose a different next step.";

    private static string Describe(TeamRound round) =>
        round.Next is null ? $"round {round.Round} {round.Status}" : $"round {round.Round} asked '{round.Next}' and {round.Status}";

    /// <summary>The round's state for a conversational manager, after the history: the round, the plan, the ledger, whether to re-plan, and the reply format.</summary>
    private string RoundPrompt(int round, string? plan, List<TeamRound> ledger, string? stalled)
    {
        var prompt = new System.Text.StringBuilder();
        prompt.Append(System.Globalization.CultureInfo.InvariantCulture, $"Round {round} of {MaxRounds}. Members: {string.Join(", ", _memberNames)}.");
        if (plan is not null) prompt.Append("\nYour plan: ").Append(plan);
        if (ledger.Count > 0) prompt.Append("\nProgress so far: ").Append(string.Join("; ", ledger.Select(Describe)));
        if (stalled is not null) prompt.Append("\nProgress stalled: ").Append(stalled).Append(". ").Append(Replan());
        return prompt.Append('\n').Append(Format()).ToString();
    }

    /// <summary>The round's state as properties of the manager's input: <c>members, round, maxRounds, plan, ledger, replan</c>.</summary>
    private KeyValuePair<string, JsonNode?>[] ManagerContext(int round, string? plan, List<TeamRound> ledger, string? stalled) =>
    [
        new("members", new JsonArray([.. _memberNames.Select(m => (JsonNode?)JsonValue.Create(m))])),
        new("round", round),
        new("maxRounds", MaxRounds),
        new("plan", plan),
        new("ledger", new JsonArray([.. ledger.Select(entry => (JsonNode?)new JsonObject
        {
            ["round"] = entry.Round,
            ["next"] = entry.Next,
            ["instruction"] = entry.Instruction,
            ["status"] = entry.Status,
        })])),
        new("replan", stalled is not null),
    ];
}
