using Baton.Yaml;

namespace Baton.Yaml.Tests.Building;

/// <summary><c>limits.maxFanOut</c> and how it agrees with <c>maxSteps</c>; a foreach over the limits names its step and the key to raise.</summary>
public sealed class FanOutLimitTests
{
    private static string File(string limits, string items, string @do = "echo") =>
        "version: 1\nagents:\n  echo: { template: \"{{ input }}\" }\n" + limits + "\nworkflow:\n  foreach: { items: \"" + items + "\", do: " + @do + " }\n  id: fan\n";

    [Fact]
    public async Task A_foreach_of_1500_items_runs_when_max_fan_out_allows_it()
    {
        var built = FileRuns.Build(File("limits: { maxFanOut: 2000 }", "Array.from({ length: 1500 }, (_, i) => i)"));

        var result = await FileRuns.RunAsync(built);

        Assert.True(result.IsSuccess, result.Error?.Message);
        var output = result.Output!.AsJson();
        Assert.Equal(1500, output.GetArrayLength());
        Assert.Equal("1499", output[1499].GetString());
    }

    [Fact]
    public async Task More_items_than_the_fan_out_limit_fail_naming_the_step_and_the_key()
    {
        var built = FileRuns.Build(File("limits: { maxFanOut: 100 }", "Array.from({ length: 150 }, (_, i) => i)"));

        var result = await FileRuns.RunAsync(built);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("foreach 'fan' has 150 items, over the fan-out limit of 100: raise 'maxFanOut'", result.Error!.Message);
        Assert.Equal("fan_out", result.Error.Code);
    }

    [Fact]
    public async Task Without_limits_a_foreach_as_wide_as_the_default_fan_out_runs_and_a_wider_one_fails()
    {
        // The defaults agree: 900 items of one step each fit in the default 1000 steps.
        var widest = await FileRuns.RunAsync(FileRuns.Build(File("", "Array.from({ length: 900 }, (_, i) => i)")));
        var wider = await FileRuns.RunAsync(FileRuns.Build(File("", "Array.from({ length: 901 }, (_, i) => i)")));

        Assert.True(widest.IsSuccess, widest.Error?.Message);
        Assert.Equal(RunStatus.Failed, wider.Status);
        Assert.Contains("foreach 'fan' has 901 items, over the fan-out limit of 900: raise 'maxFanOut'", wider.Error!.Message);
    }

    [Fact]
    public async Task Items_that_would_use_up_the_step_limit_fail_before_they_start_naming_max_steps()
    {
        var built = FileRuns.Build(File("limits: { maxSteps: 500, maxFanOut: 400 }", "Array.from({ length: 300 }, (_, i) => i)", "{ sequential: [echo, echo] }"));

        var result = await FileRuns.RunAsync(built);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("foreach 'fan' has 300 items of at least 2 step(s) each, more than the step limit of 500 allows: raise 'maxSteps'", result.Error!.Message);
        Assert.Equal("step_limit", result.Error.Code);
    }

    [Fact]
    public void The_step_and_fan_out_limits_default_to_agree_with_each_other()
    {
        static (int FanOut, int Steps) Limits(string limits)
        {
            var read = WorkflowFile.Read(File(limits, "[]"), "flow.yaml");
            Assert.True(read.IsValid, string.Join("\n", read.Errors));
            return (read.Document!.Limits.MaxFanOut, read.Document.Limits.MaxSteps);
        }

        Assert.Equal((900, 1000), Limits(""));
        Assert.Equal((2000, 4000), Limits("limits: { maxFanOut: 2000 }"));
        Assert.Equal((10, 1000), Limits("limits: { maxFanOut: 10 }"));
        Assert.Equal((45, 50), Limits("limits: { maxSteps: 50 }"));
        Assert.Equal((1000, 5000), Limits("limits: { maxSteps: 5000 }"));
        Assert.Equal((300, 300), Limits("limits: { maxSteps: 300, maxFanOut: 300 }"));
    }

    [Fact]
    public void Max_fan_out_above_an_explicit_max_steps_is_refused_at_its_position()
    {
        var error = Assert.Single(WorkflowFile.Read(File("limits: { maxSteps: 1000, maxFanOut: 2000 }", "[]"), "flow.yaml").Errors);

        Assert.Equal((4, 38), (error.Line, error.Column));
        Assert.StartsWith("'maxFanOut' is 2000, but 'maxSteps' (1000) allows fewer steps than that", error.Message);
    }

    [Fact]
    public void Max_fan_out_must_be_a_positive_whole_number()
    {
        var error = Assert.Single(WorkflowFile.Read(File("limits: { maxFanOut: 0 }", "[]"), "flow.yaml").Errors);

        Assert.Equal("'maxFanOut' must be at least 1, not 0", error.Message);
    }
}
