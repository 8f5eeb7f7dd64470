namespace Baton;

/// <summary>
/// Voting: several voters answer the same input at once and a strategy picks one answer
/// (majority by default; unanimous, weighted, a judge agent, or a person). Ties follow an
/// explicit rule; answers compare by a pluggable equality.
/// </summary>
public sealed class VoteBuilder : StepPatternBuilder<VoteBuilder, VoteStep>
{
    private readonly List<(string, Workflow)> _voters = [];
    private VoteStrategy _strategy = VoteStrategy.Majority;
    private VoteTieRule _tieRule = VoteTieRule.First;
    private AnswerEquality _equality = AnswerEquality.IgnoreCaseAndWhitespace;
    private IAgent? _judge;
    private int _quorum = 1;
    private string? _humanPrompt;
    private string? _tallyState;

    /// <summary>Starts a vote called <paramref name="name"/>.</summary>
    public VoteBuilder(string name)
        : base(name)
    {
    }

    /// <summary>Adds a voter that runs one agent; it is named after the agent unless named here.</summary>
    public VoteBuilder Voter(IAgent agent, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var workflow = Workflow.Of(agent);
        return Voter(name ?? agent.Name, workflow);
    }

    /// <summary>Adds a voter that runs a whole workflow; its output is its answer.</summary>
    public VoteBuilder Voter(string name, Workflow workflow)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(workflow);
        _voters.Add((name, workflow));
        return this;
    }

    /// <summary>Adds voters, each named after its agent.</summary>
    public VoteBuilder Voters(params IEnumerable<IAgent> agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        foreach (var agent in agents) Voter(agent);
        return this;
    }

    /// <summary>Sets how the answers become one (<see cref="VoteStrategy.Majority"/> by default).</summary>
    public VoteBuilder Strategy(VoteStrategy strategy)
    {
        _strategy = strategy ?? throw new ArgumentNullException(nameof(strategy));
        return this;
    }

    /// <summary>Sets the judge for the <see cref="VoteStrategy.Judge"/> strategy and the <see cref="VoteTieRule.Judge"/> tie rule.</summary>
    public VoteBuilder Judge(IAgent judge)
    {
        _judge = judge ?? throw new ArgumentNullException(nameof(judge));
        return this;
    }

    /// <summary>Sets how ties are settled (<see cref="VoteTieRule.First"/>, voter order, by default).</summary>
    public VoteBuilder OnTie(VoteTieRule rule)
    {
        if (!Enum.IsDefined(rule)) throw new ArgumentOutOfRangeException(nameof(rule), rule, "not a tie rule");
        _tieRule = rule;
        return this;
    }

    /// <summary>Sets when two answers are the same (<see cref="AnswerEquality.IgnoreCaseAndWhitespace"/> by default).</summary>
    public VoteBuilder CompareBy(AnswerEquality equality)
    {
        _equality = equality ?? throw new ArgumentNullException(nameof(equality));
        return this;
    }

    /// <summary>Answers needed for a decision (1 by default): voters that fail abstain, and with fewer answers the vote fails.</summary>
    public VoteBuilder Quorum(int answers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(answers, 1);
        _quorum = answers;
        return this;
    }

    /// <summary>What a person is asked when the vote escalates to one.</summary>
    public VoteBuilder HumanPrompt(string prompt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt);
        _humanPrompt = prompt;
        return this;
    }

    /// <summary>Writes the <see cref="VoteTally"/> to this run state variable when the vote commits.</summary>
    public VoteBuilder TallyTo(string stateName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateName);
        _tallyState = stateName;
        return this;
    }

    /// <summary>The vote as a step, to place inside another workflow; <see cref="PatternBuilder{TBuilder}.MaxParallel"/> bounds how many voters answer at once.</summary>
    /// <exception cref="InvalidOperationException">The vote has no voter, asks a judge it does not have, or needs more answers than it has voters.</exception>
    public override VoteStep BuildStep(string? id = null)
    {
        if (_voters.Count == 0) throw new InvalidOperationException($"vote '{Name}' needs at least one voter: call Voter");
        if (_judge is null && (_strategy == VoteStrategy.Judge || _tieRule == VoteTieRule.Judge))
        {
            throw new InvalidOperationException($"vote '{Name}' asks a judge ({(_tieRule == VoteTieRule.Judge ? "its tie rule" : "its strategy")}) but has none: call Judge");
        }

        if (_quorum > _voters.Count) throw new InvalidOperationException($"vote '{Name}' needs {_quorum} answers but has only {_voters.Count} voters");
        return new VoteStep(id ?? Name, _voters.ToArray())
        {
            Strategy = _strategy,
            TieRule = _tieRule,
            Equality = _equality,
            Judge = _judge,
            Quorum = _quorum,
            HumanPrompt = _humanPrompt,
            TallyState = _tallyState,
            MaxParallel = ParallelBound,
        };
    }

    private protected override bool MaxParallelBoundsItsStep => true;
}
