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
}
