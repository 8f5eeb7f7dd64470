using Baton.AI;
using Baton.Yaml;
using Baton.Yaml.Model.Steps;

namespace Baton.Yaml.Tests.Loading;

public sealed class WorkflowFileTests
{
    private static IReadOnlyList<WorkflowFileError> Errors(string yaml) => WorkflowFile.Read(yaml, "flow.yaml").Errors;

    private static WorkflowFileError Single(string yaml, string contains)
    {
        var errors = Errors(yaml);
        var error = Assert.Single(errors);
        Assert.Contains(contains, error.Message);
        return error;
    }

    [Fact]
    public void The_first_file_of_the_format_reads_as_written()
    {
        var result = WorkflowFile.Read(Examples.FirstFile, "report.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var document = result.Document!;
        Assert.Equal("ai-trends-report", document.Name);
        Assert.Equal("AI trends", document.Inputs.Single().Default!.GetValue<string>());
        Assert.Equal(3, document.Models["local"].SettingsAs<ScriptedModelOptions>()!.Replies.Count);
        Assert.Contains("\"required\":[\"analysis\",\"confidence\"]", document.Agents["analyst"].OutputSchema);
        Assert.Equal(["researcher", "analyst", "writer"], Assert.IsType<SequentialDefinition>(document.Workflow).Steps.Select(s => s.Id));
    }

    [Fact]
    public void Every_step_kind_and_option_reads()
    {
        var result = WorkflowFile.Read(Examples.EveryStep, "everything.yaml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var steps = Assert.IsType<SequentialDefinition>(result.Document!.Workflow).Steps;
        Assert.Equal(
            [typeof(AgentStepDefinition), typeof(AgentStepDefinition), typeof(ParallelDefinition), typeof(ParallelDefinition), typeof(ForEachDefinition), typeof(RouteDefinition), typeof(StatesDefinition), typeof(VoteDefinition), typeof(AskDefinition), typeof(EmitDefinition), typeof(SetDefinition), typeof(AgentStepDefinition), typeof(GraphDefinition)],
            steps.Select(s => s.GetType()));
        Assert.Equal(["research", "again", "parallel", "parallel-2", "foreach", "route", "states", "vote", "ask", "emit", "set", "inner", "graph"], steps.Select(s => s.Id));
        var again = steps[1];
        Assert.Equal(("notes", 4, TimeSpan.FromSeconds(30)), (again.As, again.Retry!.MaxAttempts, again.Timeout!.Value));
        Assert.Equal("shout", Assert.IsType<AgentStepDefinition>(again.OnError).Agent);
        Assert.NotNull(Assert.IsType<ParallelDefinition>(steps[3]).Merge.Vote);
        Assert.Equal("draft", Assert.IsType<StatesDefinition>(steps[6]).Start);
        var graph = Assert.IsType<GraphDefinition>(steps[12]);
        Assert.Equal("write", graph.Output);
        Assert.Equal(["a", "b"], graph.Nodes.Single(n => n.Name == "write").After);
        Assert.Equal(TimeSpan.FromMinutes(5), result.Document.Limits.Timeout);
        Assert.Equal("reports.*", result.Document.Subscriptions.Single().Topic);
        Assert.Equal(2, result.Document.Models["local"].SettingsAs<ScriptedModelOptions>()!.Faults.Count);
    }

    [Fact]
    public void Bad_yaml_is_reported_where_it_breaks()
    {
        // An unclosed bracket: reported after the last item the parser could read.
        var unclosed = Assert.Single(Errors("version: 1\nworkflow:\n  sequential: [a, b\nname: x\n"));
        Assert.Equal(("flow.yaml", 3, 17), (unclosed.File, unclosed.Line, unclosed.Column));
        Assert.StartsWith("invalid YAML", unclosed.Message);
        // A tab where indentation is expected: the YAML library's own message and position.
        var tab = Assert.Single(Errors("version: 1\nworkflow:\n\tsequential: [a]\n"));
        Assert.Equal("flow.yaml:2:9: invalid YAML: While scanning a mapping, found invalid tab as indentation.", tab.ToString());
    }

    [Fact]
    public void An_unknown_key_suggests_the_closest()
    {
        var error = Single("version: 1\nagents:\n  a: { template: x }\nworkflow: a\nlimts: { maxSteps: 3 }\n", "unknown key 'limts'");
        Assert.Equal((5, 1), (error.Line, error.Column));
        Assert.EndsWith("did you mean 'limits'?", error.Message);
        var option = Single("version: 1\nagents:\n  a: { template: x }\nworkflow: { agent: a, retyr: { maxAttempts: 2 } }\n", "did you mean 'retry'?");
        Assert.Equal((4, 23), (option.Line, option.Column));
    }

    [Fact]
    public void A_reference_to_an_agent_model_resource_or_state_that_does_not_exist()
    {
        var agent = Single("version: 1\nagents:\n  writer: { template: x }\nworkflow:\n  sequential: [writer, writter]\n", "there is no agent 'writter'; did you mean 'writer'?");
        Assert.Equal((5, 24), (agent.Line, agent.Column));
        var model = Single("version: 1\nmodels:\n  local: { provider: scripted, replies: [hi] }\nagents:\n  a: { model: locl }\nworkflow: a\n", "there is no model 'locl'");
        Assert.Equal((5, 15), (model.Line, model.Column));
        var resource = Single("version: 1\nagents:\n  a: { template: x }\nworkflow: { agent: a, resource: api }\n", "there is no resource 'api'");
        Assert.Equal((4, 33), (resource.Line, resource.Column));
        var state = Single("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  states:\n    one: { do: a, next: tow }\n", "there is no state 'tow'");
        Assert.Equal((6, 25), (state.Line, state.Column));
    }

    [Fact]
    public void A_wrong_type_says_what_was_expected()
    {
        var error = Single("version: 1\nmodels:\n  m: { provider: scripted, replies: [x] }\nagents:\n  a: { model: m, maxTurns: many }\nworkflow: a\n", "'maxTurns' must be a whole number, not 'many'");
        Assert.Equal((5, 28), (error.Line, error.Column));
        var duration = Single("version: 1\nagents:\n  a: { template: x }\nworkflow: { agent: a, timeout: soon }\n", "duration");
        Assert.Equal((4, 32), (duration.Line, duration.Column));
    }

    [Fact]
    public void An_invalid_expression_is_reported_inside_its_text()
    {
        var error = Single("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  states:\n    one: { do: a, next: [{ when: \"confidence < < 1\", goto: end }] }\n", "invalid expression in 'when'");
        // The second "<" of the expression, which starts after the quote at column 34.
        Assert.Equal((6, 48), (error.Line, error.Column));
    }

    [Fact]
    public void An_invalid_template_is_reported()
    {
        var error = Single("version: 1\nagents:\n  a: { template: \"Hello {{ input \" }\nworkflow: a\n", "invalid template in 'template'");
        // Where the template ends without closing its tag: its closing quote.
        Assert.Equal((3, 33), (error.Line, error.Column));
    }

    [Fact]
    public void A_state_machine_with_a_loop_no_state_can_leave_is_rejected()
    {
        var error = Single("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  states:\n    ping: { do: a, next: pong }\n    pong: { do: a, next: ping }\n",
            "state 'ping' can never reach the end");
        Assert.Equal((6, 5), (error.Line, error.Column));
        Assert.Contains("ping -> pong -> ping", error.Message);
        // A condition gives the loop a way out.
        Assert.Empty(Errors("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  states:\n    ping: { do: a, next: [{ when: \"confidence > 0.5\", goto: pong }] }\n    pong: { do: a, next: ping }\n"));
    }

    [Fact]
    public void A_state_no_state_leads_to_is_rejected_when_the_file_loads()
    {
        // Found by the fuzzer (Baton.Soak, workflow-grammar): the file loaded, then building it threw WorkflowValidationException.
        var error = Single("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  states:\n    one: { do: a, next: end }\n    two: { do: a, next: end }\n",
            "state 'two' can never run: no state leads to it from 'one'");
        Assert.Equal((7, 5), (error.Line, error.Column));
        Assert.Empty(Errors("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  states:\n    one: { do: a, next: two }\n    two: { do: a, next: end }\n"));
    }

    [Fact]
    public void A_workflow_agent_that_contains_itself_is_rejected_when_the_file_loads()
    {
        // Found by the fuzzer (Baton.Soak, workflow-grammar): the file loaded, then building it threw "contains itself".
        var direct = Single("version: 1\nagents:\n  a: { template: x }\n  loop: { workflow: { sequential: [a, loop] } }\nworkflow: loop\n", "agent 'loop' contains itself: loop -> loop");
        Assert.Equal(4, direct.Line);
        var errors = Errors("version: 1\nagents:\n  a: { workflow: { sequential: [b] } }\n  b: { workflow: c }\n  c: { workflow: a }\nworkflow: a\n");
        Assert.Contains(errors, e => e.Message.Contains("agent 'a' contains itself: a -> b -> c -> a", StringComparison.Ordinal));
    }

    [Fact]
    public void A_vote_without_voters_is_rejected_when_the_file_loads()
    {
        // Found by the fuzzer (Baton.Soak, workflow-grammar): 'voters: []' loaded, then building the file threw.
        var error = Single("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  vote: { voters: [], strategy: majority }\n", "'voters' needs at least one agent");
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_file_order()
    {
        var errors = Errors("version: 2\nagents:\n  a: { modle: x }\n  b: { template: \"{{ \" }\nworkflow:\n  sequential: [a, c]\nlimits: { maxSteps: -1 }\n");

        Assert.True(errors.Count >= 5, string.Join("\n", errors));
        Assert.Equal(errors.OrderBy(e => e.Line).ThenBy(e => e.Column).Select(e => e.ToString()), errors.Select(e => e.ToString()));
        Assert.Contains(errors, e => e.Line == 1 && e.Message.Contains("'version' must be 1"));
        Assert.Contains(errors, e => e.Line == 6 && e.Message.Contains("there is no agent 'c'"));
        Assert.Contains(errors, e => e.Line == 7 && e.Message.Contains("'maxSteps' must be at least 1"));
    }

    [Fact]
    public void A_secret_from_the_environment_is_resolved_and_never_shown()
    {
        var variable = "BATON_TEST_SECRET_" + Guid.NewGuid().ToString("N");
        var yaml = $"version: 1\nmodels:\n  gpt: {{ provider: openai, model: gpt-4o-mini, apiKey: \"${{env.{variable}}}\" }}\nagents:\n  a: {{ model: gpt }}\nworkflow: a\n";
        var missing = Single(yaml, $"uses the environment variable {variable}, which is not set");
        Assert.Equal(3, missing.Line);

        Environment.SetEnvironmentVariable(variable, "sk-very-secret");
        try
        {
            var result = WorkflowFile.Read(yaml, "flow.yaml");
            Assert.True(result.IsValid);
            var options = result.Document!.Models["gpt"].SettingsAs<OpenAiCompatibleOptions>()!;
            Assert.Equal("sk-very-secret", options.ApiKey);
            Assert.DoesNotContain("sk-very-secret", options.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_foreach_cannot_merge_by_vote()
    {
        var error = Single("version: 1\nagents:\n  a: { template: x }\nworkflow:\n  foreach: { items: \"[1, 2]\", do: a, merge: { vote: { strategy: majority } } }\n", "'foreach' merges with list, object, concat or an agent, not a vote");
        Assert.Equal((5, 45), (error.Line, error.Column));
    }
}
