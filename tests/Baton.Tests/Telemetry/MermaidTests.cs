using System.Text.RegularExpressions;

namespace Baton.Tests.Telemetry;

public sealed partial class MermaidTests
{
    [Fact]
    public void A_sequential_pipeline_is_a_chain_from_start_to_end()
    {
        var workflow = SequentialBuilder.Create("pipeline", Agent.Identity("research"), Agent.Identity("analyze"), Agent.Identity("write"));

        var mermaid = workflow.ToMermaid();

        Assert.Equal(
            """
            flowchart TD
              start(("start"))
              s_research["research"]
              s_analyze["analyze"]
              s_write["write"]
              done(("end"))
              start --> s_research
              s_research --> s_analyze
              s_analyze --> s_write
              s_write --> done

            """.ReplaceLineEndings("\n"),
            mermaid);
        AssertWellFormed(mermaid);
    }

    [Fact]
    public void A_state_machine_labels_its_conditional_transitions_and_shows_the_loop()
    {
        var workflow = new StateMachineBuilder("article")
            .State("research", Agent.Identity("researcher"))
            .State("review", Agent.Identity("reviewer"))
            .State("publish", Agent.Identity("publisher"))
            .Transition("research", "review")
            .Transition("review", "research", o => o.Confidence < 0.7, "confidence < 0.7")
            .Transition("review", "publish", o => o.Confidence >= 0.7, "approved")
            .Build();

        var lines = Lines(workflow.ToMermaid());

        Assert.Contains("s_research[\"research: researcher\"]", lines);
        Assert.Contains("start --> s_research", lines);
        Assert.Contains("s_research --> s_review", lines);
        Assert.Contains("s_review -->|\"confidence #lt; 0.7\"| s_research", lines);
        Assert.Contains("s_review -->|\"approved\"| s_publish", lines);
        Assert.Contains("s_review -->|\"otherwise\"| done", lines);
        Assert.Contains("s_publish --> done", lines);
        Assert.DoesNotContain("s_research --> done", lines);
        AssertWellFormed(workflow.ToMermaid());
    }

    [Fact]
    public void Error_routes_are_dashed_edges_to_the_handler()
    {
        var workflow = new SequentialBuilder("support")
            .Then(Agent.Identity("fetch"))
            .Then(Agent.Identity("answer"))
            .OnError(Agent.Identity("apologize"))
            .Build();

        var lines = Lines(workflow.ToMermaid());

        Assert.Contains("s_fetch --> s_answer", lines);
        Assert.Contains("s_fetch -. error .-> s_apologize", lines);
        Assert.Contains("s_answer -. error .-> s_apologize", lines);
        Assert.Contains("s_answer --> done", lines);
        Assert.Contains("s_apologize --> done", lines);
        Assert.DoesNotContain("s_fetch --> done", lines);
        AssertWellFormed(workflow.ToMermaid());
    }

    [Fact]
    public void A_parallel_step_is_a_subgraph_of_its_branches()
    {
        var translate = SequentialBuilder.Create("translate", Agent.Identity("translator"), Agent.Identity("proofreader"));
        var workflow = new SequentialBuilder("publish")
            .Then(Agent.Identity("draft"))
            .Then(new ParallelBuilder("review").Branch(Agent.Identity("grammar")).Branch(Agent.Identity("facts"), "fact-check").BuildStep())
            .Then(new ParallelBuilder("localize").Branch("en", translate).Branch("fr", translate).BuildStep())
            .Then(Agent.Identity("ship"))
            .Build();

        var mermaid = workflow.ToMermaid();

        Assert.Contains(
            """
              subgraph s_review ["review"]
                direction TB
                s_review__grammar["grammar"]
                s_review__fact_check["fact-check: facts"]
              end
            """.ReplaceLineEndings("\n"),
            mermaid,
            StringComparison.Ordinal);

        // The same workflow in two branches is drawn twice, each copy with its own nodes.
        Assert.Contains(
            """
              subgraph s_localize ["localize"]
                direction TB
                subgraph s_localize__en ["en"]
                  s_localize__en__translator["translator"]
                  s_localize__en__proofreader["proofreader"]
                  s_localize__en__translator --> s_localize__en__proofreader
                end
                subgraph s_localize__fr ["fr"]
                  s_localize__fr__translator["translator"]
                  s_localize__fr__proofreader["proofreader"]
                  s_localize__fr__translator --> s_localize__fr__proofreader
                end
              end
            """.ReplaceLineEndings("\n"),
            mermaid,
            StringComparison.Ordinal);
        var lines = Lines(mermaid);
        Assert.Contains("s_draft --> s_review", lines);
        Assert.Contains("s_review --> s_localize", lines);
        Assert.Contains("s_localize --> s_ship", lines);
        Assert.Contains("s_ship --> done", lines);
        AssertWellFormed(mermaid);
    }

    [Fact]
    public void A_nested_workflow_is_drawn_inside_its_step_with_its_own_end()
    {
        var check = new StateMachineBuilder("polish")
            .State("edit", Agent.Identity("editor"))
            .State("check", Agent.Identity("checker"))
            .Transition("edit", "check")
            .Transition("check", StateMachineBuilder.End, o => o.Confidence >= 0.9, "good enough")
            .Transition("check", "edit")
            .Build();
        var workflow = SequentialBuilder.Create("article", Agent.Identity("draft"), check.AsAgent());

        var mermaid = workflow.ToMermaid();

        Assert.Contains(
            """
              subgraph s_polish ["polish"]
                direction TB
                s_polish__edit["edit: editor"]
                s_polish__check["check: checker"]
                s_polish__end(("end"))
                s_polish__edit --> s_polish__check
                s_polish__check -->|"good enough"| s_polish__end
                s_polish__check --> s_polish__edit
              end
            """.ReplaceLineEndings("\n"),
            mermaid,
            StringComparison.Ordinal);
        Assert.Contains("s_draft --> s_polish", Lines(mermaid));
        Assert.Contains("s_polish --> done", Lines(mermaid));
        AssertWellFormed(mermaid);
    }

    [Fact]
    public void Step_names_that_are_mermaid_keywords_or_markup_are_made_safe()
    {
        var workflow = new WorkflowBuilder("awkward")
            .AddStep(Agent.Identity("end"))
            .AddStep(Agent.Identity("graph"))
            .AddStep(Agent.Identity("say \"hi\" to <b>C#</b>\nnow"), "quote me")
            .AddStep(Agent.Identity("a b"))
            .AddStep(Agent.Identity("a-b"))
            .AddEdge("end", "graph")
            .AddEdge("graph", "quote me", _ => true, "if \"ready\"")
            .AddEdge("quote me", "a b")
            .AddEdge("a b", "a-b")
            .Build();

        var mermaid = workflow.ToMermaid();

        var lines = Lines(mermaid);
        Assert.Contains("s_end[\"end\"]", lines);
        Assert.Contains("s_quote_me[\"quote me: say #quot;hi#quot; to #lt;b#gt;C#35;#lt;/b#gt; now\"]", lines);
        Assert.Contains("s_graph -->|\"if #quot;ready#quot;\"| s_quote_me", lines);
        Assert.Contains("s_a_b --> s_a_b_2", lines);
        AssertWellFormed(mermaid);
    }

    [Fact]
    public void A_handoff_draws_a_dotted_transfer_edge_from_each_agent_to_each_agent_it_may_transfer_to()
    {
        var workflow = new HandoffBuilder("desk")
            .Agent(Agent.Identity("triage"), "billing", "tech")
            .Agent(Agent.Identity("billing"), "triage")
            .Agent(Agent.Identity("tech"))
            .Build();

        var mermaid = workflow.ToMermaid();

        var lines = Lines(mermaid);
        var transfers = lines.Where(l => l.Contains(" -. transfer .-> ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            ["s_desk__triage -. transfer .-> s_desk__billing", "s_desk__triage -. transfer .-> s_desk__tech", "s_desk__billing -. transfer .-> s_desk__triage"],
            transfers);
        AssertWellFormed(mermaid);
    }

    [Fact]
    public void A_group_chat_draws_its_manager_to_each_member_and_round_robin_each_member_to_the_next()
    {
        var managed = new GroupChatBuilder("chat").Members(Agent.Identity("writer"), Agent.Identity("critic")).Manager(Agent.Identity("host")).Build();
        var roundRobin = new GroupChatBuilder("chat").Members(Agent.Identity("writer"), Agent.Identity("critic"), Agent.Identity("editor")).Build();

        var managedLines = Lines(managed.ToMermaid());
        var roundRobinLines = Lines(roundRobin.ToMermaid());

        Assert.Equal(
            ["s_chat__manager -. next .-> s_chat__writer", "s_chat__manager -. next .-> s_chat__critic"],
            managedLines.Where(l => l.Contains(" .-> ", StringComparison.Ordinal)));
        Assert.Equal(
            ["s_chat__writer -. next .-> s_chat__critic", "s_chat__critic -. next .-> s_chat__editor", "s_chat__editor -. next .-> s_chat__writer"],
            roundRobinLines.Where(l => l.Contains(" .-> ", StringComparison.Ordinal)));
        AssertWellFormed(managed.ToMermaid());
        AssertWellFormed(roundRobin.ToMermaid());
    }

    [Fact]
    public void A_team_draws_its_manager_assigning_each_member()
    {
        var workflow = new TeamBuilder("team").Manager(Agent.Identity("lead")).Members(Agent.Identity("researcher"), Agent.Identity("writer")).Build();

        var mermaid = workflow.ToMermaid();

        Assert.Equal(
            ["s_team__lead -. assign .-> s_team__researcher", "s_team__lead -. assign .-> s_team__writer"],
            Lines(mermaid).Where(l => l.Contains(" .-> ", StringComparison.Ordinal)));
        AssertWellFormed(mermaid);
    }

    private static string[] Lines(string mermaid) => [.. mermaid.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    /// <summary>
    /// Checks the chart against the subset of Mermaid's flowchart grammar the exporter writes
    /// (checked once against Mermaid's own parser): every line a known statement, safe ids,
    /// quoted labels with no raw quote, balanced subgraphs, and no edge to an undeclared node.
    /// </summary>
    private static void AssertWellFormed(string mermaid)
    {
        string[] keywords = ["end", "subgraph", "graph", "flowchart", "direction", "style", "class", "classDef", "click", "linkStyle", "default", "call", "href"];
        var lines = Lines(mermaid);
        Assert.Equal("flowchart TD", lines[0]);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var used = new List<string>();
        var depth = 0;
        foreach (var line in lines.Skip(1))
        {
            if (line == "end")
            {
                depth--;
                Assert.True(depth >= 0, "an 'end' closes no subgraph");
            }
            else if (line == "direction TB")
            {
                Assert.True(depth > 0, "'direction' outside a subgraph");
            }
            else if (Subgraph().Match(line) is { Success: true } subgraph)
            {
                Assert.True(declared.Add(subgraph.Groups["id"].Value), $"id declared twice: {line}");
                depth++;
            }
            else if (Node().Match(line) is { Success: true } node)
            {
                Assert.True(declared.Add(node.Groups["id"].Value), $"id declared twice: {line}");
            }
            else if (Link().Match(line) is { Success: true } link)
            {
                used.Add(link.Groups["from"].Value);
                used.Add(link.Groups["to"].Value);
            }
            else
            {
                Assert.Fail($"not a flowchart statement the exporter should write: {line}");
            }
        }

        Assert.Equal(0, depth);
        Assert.DoesNotContain(declared, id => keywords.Contains(id, StringComparer.OrdinalIgnoreCase));
        Assert.All(used, id => Assert.Contains(id, declared));
    }

    [GeneratedRegex("""^(?<id>[A-Za-z][A-Za-z0-9_]*)(\["[^"\n]*"\]|\(\("[^"\n]*"\)\))$""")]
    private static partial Regex Node();

    [GeneratedRegex("""^subgraph (?<id>[A-Za-z][A-Za-z0-9_]*) \["[^"\n]*"\]$""")]
    private static partial Regex Subgraph();

    [GeneratedRegex("""^(?<from>[A-Za-z][A-Za-z0-9_]*) (-->|-->\|"[^"\n]*"\||-\. (error|transfer|next|assign) \.->) (?<to>[A-Za-z][A-Za-z0-9_]*)$""")]
    private static partial Regex Link();
}
