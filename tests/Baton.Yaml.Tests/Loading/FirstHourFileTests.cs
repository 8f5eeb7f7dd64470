using Baton.AI;
using Baton.Yaml;
using Baton.Yaml.Model.Steps;
using Baton.Yaml.Providers;

namespace Baton.Yaml.Tests.Loading;

/// <summary>What a newcomer's first files meet: ask choices, inputs a template reads, secrets that are not set, models swapped.</summary>
public sealed class FirstHourFileTests
{
    [Fact]
    public void An_ask_reads_its_prompt_choices_and_timeout()
    {
        var read = WorkflowFile.Read("version: 1\nworkflow:\n  ask: { prompt: \"Ship {{ input }}?\", choices: [yes, no], timeout: 2h }\n", "flow.yaml");

        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var ask = Assert.IsType<AskDefinition>(read.Document!.Workflow);
        Assert.Equal(("Ship {{ input }}?", TimeSpan.FromHours(2)), (ask.Prompt, ask.AnswerTimeout!.Value));
        Assert.Equal(["yes", "no"], ask.Choices);
    }

    [Fact]
    public void A_bad_ask_map_is_reported_where_it_is_wrong()
    {
        var errors = WorkflowFile.Read("version: 1\nworkflow:\n  ask: { prompt: \"Ship?\", choises: [yes], timeout: soon }\n", "flow.yaml").Errors;

        Assert.Contains(errors, e => e.Message.Contains("unknown key 'choises'", StringComparison.Ordinal) && e.Message.Contains("did you mean 'choices'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("'timeout'", StringComparison.Ordinal));
        var missing = Assert.Single(WorkflowFile.Read("version: 1\nworkflow:\n  ask: { choices: [yes, no] }\n", "flow.yaml").Errors);
        Assert.Equal((3, 8, "'ask' needs 'prompt': the question to ask"), (missing.Line, missing.Column, missing.Message));
        Assert.Contains("listed twice", Assert.Single(WorkflowFile.Read("version: 1\nworkflow:\n  ask: { prompt: p, choices: [yes, Yes] }\n", "flow.yaml").Errors).Message);
    }

    [Fact]
    public async Task An_ask_with_choices_refuses_another_answer_and_keeps_waiting()
    {
        var read = WorkflowFile.Read("version: 1\nworkflow:\n  ask: { prompt: \"Ship?\", choices: [yes, no] }\n", "flow.yaml");
        var built = WorkflowFile.Build(read.Document!);
        await using var runtime = new BatonRuntime();
        var handle = runtime.Start(built.Workflow, Payload.FromText("x"));
        var waiting = await WaitForQuestionAsync(runtime, handle.RunId);
        Assert.Equal(["yes", "no"], waiting.Choices);

        var refused = await runtime.Humans.AnswerAsync(waiting.Id, "maybe");
        var accepted = await runtime.Humans.AnswerAsync(waiting.Id, "NO");

        Assert.False(refused.Accepted);
        Assert.Contains("'maybe' is not one of the choices: 'yes', 'no'", refused.Reason);
        Assert.True(accepted.Accepted);
        var result = await handle.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("no", result.Output!.AsText());
    }

    private static async Task<HumanRequest> WaitForQuestionAsync(BatonRuntime runtime, string runId)
    {
        // The run's own events say when it asked: no polling on time.
        await foreach (var e in runtime.GetActiveRun(runId)!.WatchAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            var open = await runtime.Humans.ListOpenAsync(runId);
            if (open.Count > 0) return open[0];
        }

        throw new InvalidOperationException("the run ended without asking");
    }

    [Fact]
    public void A_template_reading_an_undeclared_input_is_an_error_at_its_position_with_a_suggestion()
    {
        const string Yaml = "version: 1\ninputs:\n  idea: { type: string }\nagents:\n  a: { template: \"About {{ inputs.ide }} and {{ inputs.idea }}\" }\nworkflow: a\n";

        var error = Assert.Single(WorkflowFile.Read(Yaml, "flow.yaml").Errors);

        Assert.Equal("flow.yaml:5:28: 'template' reads input 'ide', which is not declared; did you mean 'idea'?; the file declares idea", error.ToString());
    }

    [Fact]
    public void Inputs_outside_tags_and_on_later_lines_are_read_right()
    {
        const string Yaml = "version: 1\ninputs:\n  topic: { type: string }\nagents:\n  a:\n    template: |\n      inputs.nothing is text here\n      then {{ inputs.topik }}\nworkflow: a\n";

        var error = Assert.Single(WorkflowFile.Read(Yaml, "flow.yaml").Errors);

        Assert.Equal(8, error.Line); // a block scalar's column is counted from its indentation
        Assert.Contains("did you mean 'topic'?", error.Message);
        Assert.Contains("the file declares no inputs", Assert.Single(WorkflowFile.Read("version: 1\nworkflow:\n  ask: \"{{ inputs.x }}\"\n", "flow.yaml").Errors).Message);
    }

    private const string WithSecret = "version: 1\nmodels:\n  gpt: { provider: openai, model: gpt-4o-mini, endpoint: \"${env.BATON_TEST_UNSET_ENDPOINT}\" }\nagents:\n  a: { model: gpt }\nworkflow: a\n";

    [Fact]
    public void An_unset_secret_is_an_error_for_a_run_and_a_warning_for_a_check()
    {
        Assert.Null(Environment.GetEnvironmentVariable("BATON_TEST_UNSET_ENDPOINT"));

        var forRun = WorkflowFile.Read(WithSecret, "flow.yaml");
        var forCheck = WorkflowFile.Read(WithSecret, "flow.yaml", new WorkflowFileOptions { SecretsOptional = true });

        Assert.Contains("BATON_TEST_UNSET_ENDPOINT, which is not set", Assert.Single(forRun.Errors).Message);
        Assert.True(forCheck.IsValid, string.Join("\n", forCheck.Errors));
        var warning = Assert.Single(forCheck.Warnings);
        Assert.Equal((3, 58), (warning.Line, warning.Column));
        var (built, errors, warnings) = WorkflowFile.Load(WithSecret, "flow.yaml", _ => null, new WorkflowFileOptions { SecretsOptional = true });
        Assert.NotNull(built);
        Assert.Empty(errors);
        Assert.Single(warnings);
    }

    private const string Scripted = "version: 1\nmodels:\n  local: { provider: scripted, replies: [hi] }\nagents:\n  a: { model: local }\nworkflow: a\n";

    [Fact]
    public void A_model_is_swapped_for_openai_or_ollama_without_editing_the_file()
    {
        Assert.True(ModelSwap.TryParse("local=ollama:llama3.1", out var ollama, out _));
        Assert.True(ModelSwap.TryParse("local=openai:gpt-4o-mini", out var openai, out _));

        var (built, errors, _) = WorkflowFile.Load(Scripted, "flow.yaml", _ => null, new WorkflowFileOptions { ModelSwaps = [ollama!] });
        var onOpenAi = WorkflowFile.Load(Scripted, "flow.yaml", _ => null, new WorkflowFileOptions { ModelSwaps = [openai!] }).Workflow!;

        Assert.Empty(errors);
        var settings = built!.Document.Models["local"].SettingsAs<OpenAiCompatibleOptions>()!;
        Assert.Equal(("openai", "llama3.1", "http://localhost:11434/v1"), (built.Document.Models["local"].Provider.Name, settings.Model, settings.EndpointName));
        Assert.False(settings.RequiresApiKey);
        var remote = onOpenAi.Document.Models["local"].SettingsAs<OpenAiCompatibleOptions>()!;
        Assert.Equal(("gpt-4o-mini", "https://api.openai.com/v1", true), (remote.Model, remote.EndpointName, remote.RequiresApiKey));
    }

    [Theory]
    [InlineData("local", "must be NAME=PROVIDER:MODEL")]
    [InlineData("local=openai", "must be NAME=PROVIDER:MODEL")]
    [InlineData("local=olama:llama3.1", "unknown provider 'olama' in 'local=olama:llama3.1'; did you mean 'ollama'?")]
    public void A_malformed_swap_says_what_it_should_be(string text, string message)
    {
        Assert.False(ModelSwap.TryParse(text, out _, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Swapping_a_model_the_file_does_not_have_suggests_the_closest()
    {
        ModelSwap.TryParse("locl=openai:gpt-4o-mini", out var swap, out _);

        var error = Assert.Throws<ArgumentException>(() => WorkflowFile.Load(Scripted, "flow.yaml", _ => null, new WorkflowFileOptions { ModelSwaps = [swap!] }));

        Assert.Equal("--model locl: the file has no model 'locl'; did you mean 'local'? (it has local)", error.Message);
    }
}
