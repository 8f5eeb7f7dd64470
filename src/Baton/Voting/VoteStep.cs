using System.Globalization;

namespace Baton;

/// <summary>
/// Voting and conflict resolution: every voter answers the same input at once, then a
/// <see cref="VoteStrategy"/> picks the answer. Voters, the judge and the person asked are all
/// journaled as children of this step, so a resumed run replays them.
/// </summary>
/// <remarks>
/// A voter that fails abstains; the vote fails (code <c>quorum</c>) when fewer than
/// <see cref="Quorum"/> voters answered. The output is the winning answer as its first voter gave it,
/// its confidence the winning share, and its metadata the tally (also reported as the run event
/// <c>vote</c> and, with <see cref="TallyState"/>, written to run state).
/// </remarks>
public sealed class VoteStep : Step
{
    private static readonly Workflow AskPerson = new WorkflowBuilder("human").AddStep(new HumanStep("human")).Build();
    private readonly VoteMerge _merge;

    /// <summary>Creates the step.</summary>
    /// <param name="id">The step's id.</param>
    /// <param name="voters">The voters, in order: each a name and the workflow that answers.</param>
    public VoteStep(string id, IReadOnlyList<(string Name, Workflow Workflow)> voters)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(voters);
        if (voters.Count == 0) throw new ArgumentException("a vote needs at least one voter", nameof(voters));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, workflow) in voters)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            ArgumentNullException.ThrowIfNull(workflow);
            if (!names.Add(name)) throw new ArgumentException($"voter name '{name}' is used twice", nameof(voters));
            StepKey.CheckName(name, "voter name", nameof(voters));
            if (IsReserved(name)) throw new ArgumentException($"voter name '{name}' is reserved for the vote's judge and human calls: name the voter otherwise", nameof(voters));
        }

        Voters = voters;
        _merge = new VoteMerge(this);
    }

    /// <summary>The voters, in order.</summary>
    public IReadOnlyList<(string Name, Workflow Workflow)> Voters { get; }

    /// <summary>How the answers become one; <see cref="VoteStrategy.Majority"/> by default.</summary>
    public VoteStrategy Strategy { get; init; } = VoteStrategy.Majority;

    /// <summary>How ties are settled; <see cref="VoteTieRule.First"/> (voter order) by default.</summary>
    public VoteTieRule TieRule { get; init; } = VoteTieRule.First;

    /// <summary>When two answers are the same; <see cref="AnswerEquality.IgnoreCaseAndWhitespace"/> by default.</summary>
    public AnswerEquality Equality { get; init; } = AnswerEquality.IgnoreCaseAndWhitespace;

    /// <summary>The judge the <see cref="VoteStrategy.Judge"/> strategy and the <see cref="VoteTieRule.Judge"/> tie rule ask.</summary>
    public IAgent? Judge
    {
        get;
        init
        {
            field = value;
            JudgeWorkflow = value is null ? null : Workflow.Of(value);
        }
    }

    /// <summary>Answers needed for a decision (voters that failed do not answer); 1 by default.</summary>
    public int Quorum
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 1;

    /// <summary>What a person is asked when the vote escalates; a question naming the step and its input when null.</summary>
    public string? HumanPrompt { get; init; }

    /// <summary>A run state variable the tally is written to when the step commits; none when null.</summary>
    public string? TallyState { get; init; }

    /// <summary>Voters that may answer at once (the run's limit applies too); null for all.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int? MaxParallel
    {
        get;
        init => field = RunLimits.CheckParallel(value, nameof(MaxParallel));
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Workflow Workflow)> Children
    {
        get
        {
            foreach (var voter in Voters) yield return voter;
            if (JudgeWorkflow is { } judge && (Strategy.AsksJudge || TieRule == VoteTieRule.Judge)) yield return ("judge", judge);
            if (Strategy.AsksHuman || TieRule == VoteTieRule.Human) yield return ("human", HumanWorkflow);
        }
    }

    internal Workflow? JudgeWorkflow { get; private set; }

    internal Workflow HumanWorkflow => AskPerson;

    internal override ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var voters = new (string, Workflow, Payload)[Voters.Count];
        for (var i = 0; i < voters.Length; i++) voters[i] = (Voters[i].Name, Voters[i].Workflow, context.Input);
        return FanOut.RunAsync(context, voters, MaxParallel, _merge, BranchFailureMode.Collect, cancellationToken);
    }

    private async ValueTask<AgentResult> DecideAsync(StepContext context, IReadOnlyList<BranchResult> voters, CancellationToken cancellationToken)
    {
        var ballots = new List<Ballot>(voters.Count);
        var abstentions = new List<Abstention>();
        foreach (var voter in voters)
        {
            if (voter.Status == BranchStatus.Succeeded) ballots.Add(new Ballot(voter.Name, voter.Index, voter.Output ?? Payload.Empty, Clean(voter.Confidence)));
            else abstentions.Add(new Abstention(voter.Name, voter.Index, voter.Error ?? new StepError(ErrorKind.Fatal, "cancelled")));
        }

        if (ballots.Count < Quorum)
        {
            var failures = string.Join("; ", abstentions.Select(a => $"{a.Voter} failed: {a.Error.Message}"));
            var message = ballots.Count == 0
                ? $"no voter answered: {failures}"
                : $"only {ballots.Count} of {voters.Count} voters answered, fewer than the quorum of {Quorum}: {failures}";
            return AgentResult.Failure(new StepError(ErrorKind.Recoverable, message, Id, VoteText.Ballots(ballots)) { Code = "quorum" });
        }

        var vote = new VoteContext(this, context, ballots, abstentions);
        var decision = await Strategy.DecideAsync(vote, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"vote strategy '{Strategy.Name}' decided nothing");
        if (decision.Halted is { } halted) return halted;
        if (decision.Error is { } error)
        {
            return AgentResult.Failure(error with { StepId = Id, Partial = error.Partial ?? VoteText.Ballots(ballots) });
        }

        var confidence = decision.Confidence ?? (decision.Winner is { } winner ? vote.ShareOfVotes(winner) : null);
        var tally = VoteTally.Create(vote, Strategy, decision, confidence);
        var tallyPayload = Payload.From(tally);
        if (TallyState is { } state) context.SetState(state, tallyPayload);
        context.Report("vote", tallyPayload);
        return new AgentResult
        {
            Output = decision.Answer,
            Confidence = confidence,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["vote.strategy"] = Strategy.Name,
                ["vote.decidedBy"] = decision.DecidedBy,
                ["vote.winner"] = decision.Winner?.FirstVoter ?? string.Empty,
                ["vote.confidence"] = confidence?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty,
                ["vote.tally"] = tallyPayload.AsText(),
            },
        };
    }

    private static double? Clean(double? confidence) => confidence is { } c && !double.IsNaN(c) ? Math.Clamp(c, 0, 1) : null;

    private static bool IsReserved(string name)
    {
        foreach (var reserved in (ReadOnlySpan<string>)["judge", "human"])
        {
            if (!name.StartsWith(reserved, StringComparison.Ordinal)) continue;
            var rest = name.AsSpan(reserved.Length);
            if (rest.IsEmpty || (rest[0] == '-' && rest.Length > 1 && !rest[1..].ContainsAnyExceptInRange('0', '9'))) return true;
        }

        return false;
    }

    private sealed class VoteMerge(VoteStep step) : Merge("vote")
    {
        internal override ValueTask<AgentResult> MergeAsync(StepContext context, IReadOnlyList<BranchResult> branches, CancellationToken cancellationToken) =>
            step.DecideAsync(context, branches, cancellationToken);
    }
}
