using Baton.AI;
using Baton.Storage;
using Baton.Yaml;

namespace Baton.Cli;

/// <summary>Loads workflow files and makes the runtime a command runs them on.</summary>
internal static class Workflows
{
    /// <summary>Reads, checks and builds a file; every problem goes into the exception.</summary>
    public static async Task<BuiltWorkflowFile> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new UsageException($"there is no workflow file '{path}'");
        var (built, errors) = await WorkflowFile.LoadAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (built is null) throw new InvalidWorkflowFileException(errors);
        return built;
    }

    /// <summary>
    /// A runtime on the store: the file's resources, answers checked against their schema, and any stored run's
    /// workflow rebuilt from the file it came from (<see cref="RunRecord.Source"/>), so runs resume and are answered here.
    /// </summary>
    public static BatonRuntime Runtime(IRunStore store, BuiltWorkflowFile? built)
    {
        var loaded = new Dictionary<string, BuiltWorkflowFile>(StringComparer.Ordinal);
        var runtime = new BatonRuntime(new BatonOptions
        {
            Store = store,
            Resources = built?.Resources,
            AnswerValidator = JsonSchemaAnswerValidator.Validate,
            WorkflowResolver = record => record.Source is { } source && LoadSync(source, loaded) is { } file && file.Workflow.Name == record.Workflow ? file.Workflow : null,
        });
        if (built is not null)
        {
            runtime.Register(built.Workflow);
            built.Subscribe(runtime);
        }

        return runtime;
    }

    private static BuiltWorkflowFile? LoadSync(string source, Dictionary<string, BuiltWorkflowFile> loaded)
    {
        lock (loaded)
        {
            if (loaded.TryGetValue(source, out var known)) return known;
            if (!File.Exists(source)) return null;
            var read = WorkflowFile.Read(File.ReadAllText(source), source);
            if (!read.IsValid) throw new InvalidWorkflowFileException(read.Errors);
            return loaded[source] = WorkflowFile.Build(read.Document!);
        }
    }

    /// <summary>A stored run's workflow file, loaded for a command on that run.</summary>
    public static async Task<BuiltWorkflowFile> ForRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.Source is not { } source) throw new UsageException($"run '{run.RunId}' was not started from a workflow file, so this command cannot rebuild its workflow");
        var built = await LoadAsync(source, cancellationToken).ConfigureAwait(false);
        if (built.Workflow.Name != run.Workflow) throw new UsageException($"run '{run.RunId}' is of workflow '{run.Workflow}', but '{source}' now holds '{built.Workflow.Name}'");
        return built;
    }
}
