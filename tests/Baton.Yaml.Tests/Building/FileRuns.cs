using Baton.Storage;
using Baton.Yaml;
using Baton.Yaml.Providers;

namespace Baton.Yaml.Tests.Building;

/// <summary>Reading, building and running workflow files in tests, with C# agents standing in for chosen model agents.</summary>
internal static class FileRuns
{
    /// <summary>Reads and builds a file that must be valid; model agents named in <paramref name="agents"/> are those agents.</summary>
    public static BuiltWorkflowFile Build(string yaml, IReadOnlyDictionary<string, IAgent>? agents = null, ModelProviders? providers = null)
    {
        var read = WorkflowFile.Read(yaml, "flow.yaml", providers ?? ModelProviders.Default);
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        var models = ModelAgents.Create();
        return WorkflowFile.Build(read.Document!, (definition, client, template) =>
            agents is not null && agents.TryGetValue(definition.Name, out var agent) ? agent : models(definition, client, template));
    }

    /// <summary>The errors of a file that must be invalid.</summary>
    public static IReadOnlyList<WorkflowFileError> Errors(string yaml, ModelProviders? providers = null)
    {
        var read = WorkflowFile.Read(yaml, "flow.yaml", providers ?? ModelProviders.Default);
        Assert.False(read.IsValid, "the file was expected to be invalid");
        return read.Errors;
    }

    /// <summary>Runs a built file on a fresh runtime.</summary>
    public static async Task<RunResult> RunAsync(BuiltWorkflowFile built, string input = "{}")
    {
        await using var runtime = new BatonRuntime(new BatonOptions { Resources = built.Resources });
        return await runtime.RunAsync(built.Workflow, Payload.ParseJson(input));
    }

    /// <summary>
    /// Runs <paramref name="first"/> until it waits for a person, in a runtime that then ends; answers its one open
    /// request in a second runtime on the same store, where <paramref name="second"/> (the same file, built again) is
    /// registered, and runs it to its end: a suspension that outlives its process.
    /// </summary>
    public static async Task<AnsweredRun> WaitThenAnswerElsewhereAsync(Workflow first, Workflow second, Payload input, string answer)
    {
        var store = new InMemoryRunStore();
        string runId;
        await using (var waitingRuntime = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero }))
        {
            var waiting = await waitingRuntime.RunAsync(first, input);
            Assert.Equal(RunStatus.Waiting, waiting.Status);
            runId = waiting.RunId;
        }

        var request = Assert.Single(await store.ListHumanRequestsAsync(runId));
        await using var answering = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        answering.Register(second);
        var answered = await answering.Humans.AnswerAsync(request.Id, answer);
        return new AnsweredRun(store, runId, request, await answered.Run!.Completion);
    }

    /// <summary>Runs <paramref name="workflow"/> until it waits for a person, answers its one open request and runs it to its end, in one runtime.</summary>
    public static async Task<AnsweredRun> WaitThenAnswerAsync(Workflow workflow, Payload input, string answer)
    {
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        runtime.Register(workflow);
        var waiting = await runtime.RunAsync(workflow, input);
        Assert.Equal(RunStatus.Waiting, waiting.Status);
        var request = Assert.Single(await store.ListHumanRequestsAsync(waiting.RunId));
        var answered = await runtime.Humans.AnswerAsync(request.Id, answer);
        return new AnsweredRun(store, waiting.RunId, request, await answered.Run!.Completion);
    }
}
