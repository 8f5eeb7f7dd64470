using System.Text.Json;
using Baton.Storage;

namespace Baton.Tests.Voting;

public sealed class VoteTests
{
    private static IAgent Says(string name, Payload answer, double? confidence = null) =>
        Agent.Create(name, (_, _, _) => new ValueTask<AgentResult>(AgentResult.Success(answer, confidence)));

    private static IAgent Fails(string name, string message) =>
        Agent.Create(name, (_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Fatal, message)));

    private static async Task<(RunResult Result, JournalEntry Vote, IReadOnlyList<JournalEntry> Journal)> RunAsync(Workflow workflow, Payload? input = null)
    {
        await using var runtime = new BatonRuntime();
        var result = await runtime.RunAsync(workflow, input ?? "capital of France?");
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        return (result, journal.LastOrDefault(e => e.StepId == "vote") ?? journal[^1], journal);
    }

    // Strategies

    [Fact]
    public async Task Majority_elects_the_most_given_answer_as_its_first_voter_wrote_it()
    {
        var workflow = new VoteBuilder("vote")
            .Voters(Says("a", "Lyon"), Says("b", "Paris"), Says("c", " paris "), Says("d", "PARIS"))
            .Build();

        var (result, vote, _) = await RunAsync(workflow);

        Assert.Equal("Paris", result.Output!.AsText());
        Assert.Equal(0.75, vote.Confidence);
    }

    [Fact]
    public async Task Majority_is_plurality_while_strict_majority_needs_more_than_half()
    {
        IAgent[] voters = [Says("a", "x"), Says("b", "x"), Says("c", "y"), Says("d", "z"), Says("e", "w")];

        var (plurality, vote, _) = await RunAsync(new VoteBuilder("vote").Voters(voters).Strategy(VoteStrategy.Majority).Build());
        var (strict, _, _) = await RunAsync(new VoteBuilder("vote").Voters(voters).Strategy(VoteStrategy.StrictMajority).Build());
        var (carried, _, _) = await RunAsync(new VoteBuilder("vote").Voters([.. voters[..3], Says("d", "x"), Says("e", "y")]).Strategy(VoteStrategy.StrictMajority).Build());

        Assert.Equal("x", plurality.Output!.AsText());
        Assert.Equal(0.4, vote.Confidence);
        Assert.Equal(RunStatus.Failed, strict.Status);
        Assert.Equal("no_majority", strict.Error!.Code);
        Assert.Contains("no answer has more than half of the 5 votes (the most is 2)", strict.Error.Message, StringComparison.Ordinal);
        Assert.Equal("x", carried.Output!.AsText());
    }

    [Fact]
    public async Task Unanimous_voters_give_their_answer_with_full_confidence()
    {
        var (result, vote, _) = await RunAsync(new VoteBuilder("vote").Voters(Says("a", "yes"), Says("b", "Yes")).Strategy(VoteStrategy.Unanimous).Build());

        Assert.Equal("yes", result.Output!.AsText());
        Assert.Equal(1.0, vote.Confidence);
    }

    [Fact]
    public async Task A_unanimous_vote_that_disagrees_fails_naming_every_voters_answer()
    {
        var workflow = new VoteBuilder("vote")
            .Voters(Says("alice", "yes", 0.9), Says("bob", "no"), Says("carol", "yes\nreally"))
            .Strategy(VoteStrategy.Unanimous)
            .Build();

        var (result, _, _) = await RunAsync(workflow);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("disagreement", result.Error!.Code);
        Assert.Equal(ErrorKind.Recoverable, result.Error.Kind);
        Assert.Equal(
            "the 3 voters do not agree (3 different answers): alice: \"yes\" (0.9); bob: \"no\"; carol: \"yes really\"",
            result.Error.Message);
        var partial = result.Partial!.AsJson().GetProperty("vote");
        Assert.Equal(["alice", "bob", "carol"], partial.EnumerateArray().Select(b => b.GetProperty("voter").GetString()));
        Assert.Equal("no", partial[1].GetProperty("answer").GetString());
        Assert.Equal(0.9, partial[0].GetProperty("confidence").GetDouble());
    }

    [Fact]
    public async Task Weighted_voting_sums_confidences_so_a_sure_voter_outweighs_two_unsure_ones()
    {
        var workflow = new VoteBuilder("vote")
            .Voters(Says("a", "Paris", 0.9), Says("b", "Lyon", 0.4), Says("c", "lyon", 0.4))
            .Strategy(VoteStrategy.Weighted)
            .Build();

        var (result, vote, _) = await RunAsync(workflow);

        Assert.Equal("Paris", result.Output!.AsText());
        Assert.Equal(0.9 / 1.7, vote.Confidence!.Value, 12);
    }

    [Fact]
    public async Task A_voter_without_a_confidence_counts_one_unless_told_otherwise()
    {
        IAgent[] voters = [Says("a", "Paris", 0.9), Says("b", "Lyon")];

        var (counted, _, _) = await RunAsync(new VoteBuilder("vote").Voters(voters).Strategy(VoteStrategy.Weighted).Build());
        var (ignored, _, _) = await RunAsync(new VoteBuilder("vote").Voters(voters).Strategy(VoteStrategy.WeightedWith(0)).Build());

        Assert.Equal("Lyon", counted.Output!.AsText());
        Assert.Equal("Paris", ignored.Output!.AsText());
    }

    [Fact]
    public async Task The_guide_example_elects_the_weightier_answer()
    {
        var optimist = Agent.Create("optimist", (question, context, ct) =>
            ValueTask.FromResult(AgentResult.Success("Approve", confidence: 0.9)));
        var skeptic = Agent.Create("skeptic", (question, context, ct) =>
            ValueTask.FromResult(AgentResult.Success("reject", confidence: 0.6)));
        var analyst = Agent.Create("analyst", (question, context, ct) =>
            ValueTask.FromResult(AgentResult.Success("approve ", confidence: 0.3)));
        var arbiter = Agent.Create("arbiter", ballots => Payload.From(new { voter = "skeptic", confidence = 0.7 }));
        var review = new VoteBuilder("review")
            .Voters(optimist, skeptic, analyst)
            .Strategy(VoteStrategy.Weighted)
            .OnTie(VoteTieRule.Judge)
            .Judge(arbiter)
            .CompareBy(AnswerEquality.IgnoreCaseAndWhitespace)
            .Quorum(2)
            .TallyTo("review-tally")
            .Build();
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(review, "Merge pull request #42?");
        var release = new VoteBuilder("release").Voters(optimist, skeptic).Strategy(VoteStrategy.Human).Build();
        var run = runtime.Start(release, "Merge pull request #42?");
        await foreach (var e in run.WatchAsync())
        {
            if (e is not StepWaitingForHumanEvent waiting) continue;
            Assert.Equal(["Approve", "reject"], waiting.Request.Choices);
            Assert.True((await runtime.Humans.AnswerAsync(waiting.Request.Id, "approve")).Accepted);
        }

        var decided = await run.Completion;

        Assert.Equal("Approve", result.Output!.AsText());
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        Assert.Equal(1.2 / 1.8, journal.Single(e => e.Key == "1:review").Confidence!.Value, 12);
        Assert.Equal("Approve", decided.Output!.AsText());
    }

    // Ties

    public static TheoryData<string, VoteTieRule, string?> TieRules => new()
    {
        { "majority", VoteTieRule.First, "zebra" },
        { "majority", VoteTieRule.Lexicographic, "apple" },
        { "majority", VoteTieRule.Fail, null },
        { "weighted", VoteTieRule.First, "zebra" },
        { "weighted", VoteTieRule.Lexicographic, "apple" },
        { "weighted", VoteTieRule.Fail, null },
    };

    [Theory]
    [MemberData(nameof(TieRules))]
    public async Task A_tie_follows_the_tie_rule(string strategy, VoteTieRule rule, string? winner)
    {
        var workflow = new VoteBuilder("vote")
            .Voters(Says("a", "zebra", 0.5), Says("b", "apple", 0.25), Says("c", "apple", 0.25), Says("d", "zebra", 0.5), Says("e", "mango", 0.25))
            .Strategy(strategy == "weighted" ? VoteStrategy.WeightedWith(0) : VoteStrategy.Majority)
            .OnTie(rule)
            .Build();
        if (strategy == "weighted")
        {
            // zebra 1.0 against apple 0.5: make it a tie by weight too.
            workflow = new VoteBuilder("vote")
                .Voters(Says("a", "zebra", 0.5), Says("b", "apple", 0.25), Says("c", "apple", 0.25), Says("e", "mango", 0.25))
                .Strategy(VoteStrategy.WeightedWith(0))
                .OnTie(rule)
                .Build();
        }

        var (result, vote, _) = await RunAsync(workflow);

        if (winner is null)
        {
            Assert.Equal(RunStatus.Failed, result.Status);
            Assert.Equal("tie", result.Error!.Code);
            Assert.Contains("tied between 2 answers", result.Error.Message, StringComparison.Ordinal);
            Assert.Contains("\"zebra\" (a", result.Error.Message, StringComparison.Ordinal);
            Assert.Contains("\"apple\" (b, c)", result.Error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(winner, result.Output!.AsText());
            Assert.Equal(strategy == "weighted" ? 0.5 / 1.25 : 0.4, vote.Confidence!.Value, 12);
        }
    }

    [Fact]
    public async Task A_judge_breaks_a_tie_seeing_only_the_tied_answers()
    {
        Payload? seen = null;
        var judge = Agent.Create("judge-agent", input =>
        {
            seen = input;
            return Payload.From(new { voter = "c", confidence = 0.8 });
        });
        var workflow = new VoteBuilder("vote")
            .Voters(Says("a", "zebra"), Says("b", "mango"), Says("c", "apple"), Says("d", "zebra"), Says("e", "apple"))
            .OnTie(VoteTieRule.Judge)
            .Judge(judge)
            .Build();

        var (result, vote, journal) = await RunAsync(workflow);

        Assert.Equal("apple", result.Output!.AsText());
        Assert.Equal(0.8, vote.Confidence);
        Assert.Equal(["a", "c", "d", "e"], seen!.AsJson().EnumerateArray().Select(b => b.GetProperty("voter").GetString()));
        Assert.Contains(journal, e => e.Key == "1:vote/judge/1:judge-agent");
    }

    [Fact]
    public async Task A_person_breaks_a_tie_choosing_among_the_tied_answers()
    {
        var workflow = new VoteBuilder("vote")
            .Voters(Says("a", "zebra"), Says("b", "apple"), Says("c", "mango"), Says("d", "apple"), Says("e", "zebra"))
            .OnTie(VoteTieRule.Human)
            .Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "which fruit?");

        var waiting = await HumanEscalationTests.WaitingAsync(run);
        Assert.Equal(["zebra", "apple"], waiting.Request.Choices);
        var answered = await runtime.Humans.AnswerAsync(waiting.Request.Id, "APPLE");
        var result = await run.Completion;

        Assert.True(answered.Accepted);
        Assert.Equal("apple", answered.Value);
        Assert.Equal("apple", result.Output!.AsText());
    }

    // Judge

    [Fact]
    public async Task A_judge_receives_every_answer_and_picks_one()
    {
        Payload? seen = null;
        var judge = Agent.Create("judge-agent", input =>
        {
            seen = input;
            return Payload.FromText("Lyon");
        });
        var workflow = new VoteBuilder("vote")
            .Voters(Says("a", Payload.ParseJson("""{"city":"Paris"}"""), 0.9), Says("b", "lyon"), Says("c", "Lyon"))
            .Strategy(VoteStrategy.Judge)
            .Judge(judge)
            .Build();

        var (result, vote, _) = await RunAsync(workflow);

        Assert.Equal("lyon", result.Output!.AsText());
        Assert.Equal(2.0 / 3, vote.Confidence!.Value, 12);
        Assert.Equal(
            """[{"voter":"a","answer":{"city":"Paris"},"confidence":0.9},{"voter":"b","answer":"lyon","confidence":null},{"voter":"c","answer":"Lyon","confidence":null}]""",
            seen!.AsText());
    }

    [Fact]
    public async Task A_judge_may_pick_by_voter_and_keep_a_json_answer_json()
    {
        var judge = Agent.Create("judge-agent", _ => Payload.FromText("""{ "voter": "A" }"""));
        var workflow = new VoteBuilder("vote")
            .Voters(Says("a", Payload.ParseJson("""{"city":"Paris"}""")), Says("b", "Lyon"))
            .Strategy(VoteStrategy.Judge)
            .Judge(judge)
            .Build();

        var (result, _, _) = await RunAsync(workflow);

        Assert.Equal(PayloadKind.Json, result.Output!.Kind);
        Assert.Equal("Paris", result.Output.AsJson().GetProperty("city").GetString());
    }

    [Fact]
    public async Task A_judge_may_write_its_own_answer()
    {
        var judge = Agent.Create("judge-agent", _ => Payload.From(new { answer = "Paris, though Lyon has a case", confidence = 0.6 }));
        var vote = new VoteBuilder("vote")
            .Voters(Says("a", "Paris"), Says("b", "Lyon"))
            .Strategy(VoteStrategy.Judge)
            .Judge(judge)
            .TallyTo("tally")
            .BuildStep();
        VoteTally? tally = null;
        var read = Agent.Create("read", (input, context) =>
        {
            tally = context.State.Get<VoteTally>("tally");
            return AgentResult.Success(input);
        });
        var workflow = new SequentialBuilder("judged").Then(vote).Then(read).Build();

        var (result, entry, _) = await RunAsync(workflow);

        Assert.Equal("Paris, though Lyon has a case", result.Output!.AsText());
        Assert.Equal(0.6, entry.Confidence);
        Assert.Equal("judge", tally!.DecidedBy);
        Assert.Null(tally.Winner);
        Assert.Equal(["Paris", "Lyon"], tally.Answers.Select(a => a.Answer.AsText()));
    }

    [Fact]
    public async Task A_failing_judge_fails_the_vote_and_its_error_takes_the_error_route()
    {
        var judge = Agent.Create("judge-agent", (_, _, _) => new ValueTask<AgentResult>(AgentResult.Failure(ErrorKind.Fatal, "the model is down")));
        Payload? envelope = null;
        var fallback = Agent.Create("fallback", input =>
        {
            envelope = input;
            return Payload.FromText("asked again later");
        });
        var workflow = new WorkflowBuilder("judged")
            .AddStep(new VoteBuilder("vote").Voters(Says("a", "Paris"), Says("b", "Lyon")).Strategy(VoteStrategy.Judge).Judge(judge).BuildStep())
            .AddStep(fallback)
            .OnError("vote", "fallback")
            .Build();

        var (result, _, journal) = await RunAsync(workflow);

        Assert.Equal("asked again later", result.Output!.AsText());
        var error = envelope!.AsJson().GetProperty("error");
        Assert.Equal("the judge 'judge-agent' failed: the model is down", error.GetProperty("message").GetString());
        Assert.Equal("vote", error.GetProperty("step").GetString());
        var partial = envelope.AsJson().GetProperty("partial").GetProperty("vote");
        Assert.Equal(["Paris", "Lyon"], partial.EnumerateArray().Select(b => b.GetProperty("answer").GetString()));
        Assert.Contains(journal, e => e.Kind == JournalEntryKind.StepFailed && e.Key == "1:vote");
    }

    [Fact]
    public async Task A_strategy_of_your_own_can_consult_the_judge_only_when_voters_disagree()
    {
        var unanimousElseJudge = VoteStrategy.Custom("unanimous-else-judge", (vote, ct) =>
            vote.Candidates.Count == 1 ? new(VoteDecision.For(vote.Candidates[0], "count")) : vote.AskJudgeAsync(vote.Candidates, ct));
        using var script = new AgentScript();
        var judge = script.Agent("arbiter").Returns("b");

        var (agreed, _, _) = await RunAsync(new VoteBuilder("vote").Voters(Says("a", "x"), Says("b", "X")).Strategy(unanimousElseJudge).Judge(judge).Build());
        var (judged, _, _) = await RunAsync(new VoteBuilder("vote").Voters(Says("a", "x"), Says("b", "y")).Strategy(unanimousElseJudge).Judge(judge).Build());

        Assert.Equal("x", agreed.Output!.AsText());
        Assert.Equal("y", judged.Output!.AsText());
        Assert.Equal(1, judge.CallCount);
    }

    [Fact]
    public void A_vote_that_asks_a_judge_needs_one()
    {
        var strategy = Assert.Throws<InvalidOperationException>(() => new VoteBuilder("v").Voter(Says("a", "x")).Strategy(VoteStrategy.Judge).BuildStep());
        var tie = Assert.Throws<InvalidOperationException>(() => new VoteBuilder("v").Voter(Says("a", "x")).OnTie(VoteTieRule.Judge).BuildStep());

        Assert.Equal("vote 'v' asks a judge (its strategy) but has none: call Judge", strategy.Message);
        Assert.Contains("(its tie rule)", tie.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new VoteBuilder("v").BuildStep());
        Assert.Throws<InvalidOperationException>(() => new VoteBuilder("v").Voter(Says("a", "x")).Quorum(2).BuildStep());
        Assert.Throws<ArgumentException>(() => new VoteBuilder("v").Voter(Says("judge", "x")).BuildStep());
        Assert.Throws<ArgumentException>(() => new VoteBuilder("v").Voter(Says("a", "x")).Voter(Says("a", "y")).BuildStep());
    }

    // Equality

    [Fact]
    public async Task Exact_equality_tells_case_apart_where_the_default_does_not()
    {
        IAgent[] voters = [Says("a", "Yes"), Says("b", "no"), Says("c", "yes"), Says("d", "NO ")];

        var (exact, _, _) = await RunAsync(new VoteBuilder("vote").Voters(voters).CompareBy(AnswerEquality.Exact).Strategy(VoteStrategy.Unanimous).Build());
        var (relaxed, entry, _) = await RunAsync(new VoteBuilder("vote").Voters(voters).OnTie(VoteTieRule.Fail).Build());

        Assert.Contains("(4 different answers)", exact.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("tie", relaxed.Error!.Code);
        Assert.Contains("\"Yes\" (a, c); \"no\" (b, d)", relaxed.Error.Message, StringComparison.Ordinal);
        Assert.Null(entry.Confidence);
    }

    [Fact]
    public async Task Json_answers_compare_by_a_key_and_the_first_voters_answer_wins_whole()
    {
        var workflow = new VoteBuilder("vote")
            .Voters(
                Says("a", Payload.ParseJson("""{"verdict":"Approve","reason":"solid"}""")),
                Says("b", Payload.FromText("""{"verdict":"reject","reason":"risky"}""")),
                Says("c", Payload.ParseJson("""{"verdict":"approve ","reason":"fine"}""")))
            .CompareBy(AnswerEquality.ByJsonPath("verdict"))
            .Strategy(VoteStrategy.Majority)
            .Build();

        var (result, entry, _) = await RunAsync(workflow);

        Assert.Equal("solid", result.Output!.AsJson().GetProperty("reason").GetString());
        Assert.Equal(2.0 / 3, entry.Confidence!.Value, 12);
    }

    [Fact]
    public void Equalities_reduce_answers_to_keys()
    {
        var byLabel = AnswerEquality.ByJsonPath("result.labels.0");
        var byLength = AnswerEquality.By("length", a => a.AsText().Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("new york", AnswerEquality.IgnoreCaseAndWhitespace.KeyOf("  New \t\n York "));
        Assert.Equal("  New York", AnswerEquality.Exact.KeyOf("  New York"));
        Assert.Equal("spam", byLabel.KeyOf(Payload.ParseJson("""{"result":{"labels":["SPAM","ads"]}}""")));
        Assert.Equal("2", AnswerEquality.ByJsonPath("score").KeyOf(Payload.ParseJson("""{"score":2}""")));
        Assert.Equal("no labels here", byLabel.KeyOf("No labels  here"));
        Assert.True(byLength.Equals("abc", "xyz"));
        Assert.False(AnswerEquality.IgnoreCaseAndWhitespace.Equals("New York", "NewYork"));
        Assert.Throws<ArgumentException>(() => AnswerEquality.ByJsonPath("a..b"));
    }

    // Voters that fail

    [Fact]
    public async Task A_failed_voter_abstains_and_the_others_decide()
    {
        var workflow = new VoteBuilder("vote")
            .Voters(Fails("a", "timeout"), Says("b", "Lyon"), Says("c", "Paris"), Says("d", "Paris"))
            .TallyTo("tally")
            .Build();
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(workflow, "capital?");

        var result = await run.Completion;

        Assert.Equal("Paris", result.Output!.AsText());
        var reported = Assert.Single(run.EventsSoFar.OfType<CustomRunEvent>(), e => e.Name == "vote");
        var tally = reported.Data!.Get<VoteTally>()!;
        Assert.Equal("majority", tally.Strategy);
        Assert.Equal("count", tally.DecidedBy);
        Assert.Equal("c", tally.Winner);
        Assert.Equal(2.0 / 3, tally.Confidence!.Value, 12);
        Assert.Equal("timeout", tally.Abstained["a"]);
        Assert.Equal([(1, "b"), (2, "c")], tally.Answers.Select(a => (a.Votes, a.Voters[0])));
    }

    [Fact]
    public async Task A_vote_with_no_answers_or_fewer_than_its_quorum_fails()
    {
        var (none, _, _) = await RunAsync(new VoteBuilder("vote").Voters(Fails("a", "down"), Fails("b", "busy")).Build());
        var (few, _, _) = await RunAsync(new VoteBuilder("vote").Voters(Fails("a", "down"), Says("b", "x"), Says("c", "x")).Quorum(3).Build());

        Assert.Equal("quorum", none.Error!.Code);
        Assert.Equal("no voter answered: a failed: down; b failed: busy", none.Error.Message);
        Assert.Equal("only 2 of 3 voters answered, fewer than the quorum of 3: a failed: down", few.Error!.Message);
        Assert.Equal(2, few.Partial!.AsJson().GetProperty("vote").GetArrayLength());
    }

    // Journal

    [Fact]
    public async Task Voters_and_the_judge_are_journaled_under_the_vote_and_replayed_on_resume()
    {
        using var script = new AgentScript();
        var a = script.Agent("a").Returns("x");
        var b = script.Agent("b").Returns("y");
        var judge = script.Agent("judge-agent").Fails(ErrorKind.Fatal, "flaky").Returns("y");
        var workflow = new VoteBuilder("vote").Voters(a, b).Strategy(VoteStrategy.Judge).Judge(judge).Build();
        await using var runtime = new BatonRuntime();

        var failed = await runtime.RunAsync(workflow, "q", new RunOptions { RunId = "vote-1" });
        var resumed = await (await runtime.ResumeAsync("vote-1", workflow)).Completion;
        var journal = await runtime.Store.ReadJournalAsync("vote-1");

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("y", resumed.Output!.AsText());
        Assert.Equal(1, a.CallCount);
        Assert.Equal(1, b.CallCount);
        Assert.Equal(
            ["1:vote", "1:vote/a/1:a", "1:vote/b/1:b", "1:vote/judge/1:judge-agent"],
            journal.Where(e => e.Kind == JournalEntryKind.StepCompleted).Select(e => e.Key!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_graph_shows_the_voters_and_the_judge()
    {
        var mermaid = new VoteBuilder("vote").Voters(Says("a", "x"), Says("b", "y")).OnTie(VoteTieRule.Judge).Judge(Says("arbiter", "x")).Build().ToMermaid();

        Assert.Contains("[\"a\"]", mermaid, StringComparison.Ordinal);
        Assert.Contains("[\"judge: arbiter\"]", mermaid, StringComparison.Ordinal);
        Assert.DoesNotContain("human", mermaid, StringComparison.Ordinal);
    }
}
