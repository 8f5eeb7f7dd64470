using Baton.AI;
using Baton.Storage;
using Baton.Yaml;

namespace Baton.Cli;

/// <summary>Loads workflow files and makes the runtime a command runs them on.</summary>
internal static class Workflows
{
    /// <summary>
    /// A runtime on the store: the file's resources, answers checked against their schema, leases held under this
    /// process's <see cref="LeaseOwners"/> id, and any stored run's workflow rebuilt from the definition stored with it.
    /// </summary>
    public static BatonRuntime Runtime(IRunStore store, BuiltWorkflowFile? built)
    {
        OtlpExport.StartIfConfigured();
        var loaded = new Dictionary<string, BuiltWorkflowFile?>(StringComparer.Ordinal);
        var runtime = new BatonRuntime(new BatonOptions
        {
            Store = store,
            Owner = LeaseOwners.ForThisProcess(),
            Resources = built?.Resources,
            AnswerValidator = JsonSchemaAnswerValidator.Validate,
            WorkflowResolver = record => Cached(record, loaded)?.Find(record.Workflow),
        });
        if (built is not null)
        {
            runtime.Register(built.Workflow);
            built.Subscribe(runtime);
        }

        return runtime;
    }

    private static BuiltWorkflowFile? Cached(RunRecord record, Dictionary<string, BuiltWorkflowFile?> loaded)
    {
        var cacheKey = record.Definition ?? record.Source;
        if (cacheKey is null) return null;
        lock (loaded)
        {
            if (loaded.TryGetValue(cacheKey, out var known)) return known;
            return loaded[cacheKey] = TryRebuild(record);
        }
    }

    /// <summary>A stored run's workflow file, rebuilt for a command on that run (<see cref="BuiltWorkflowFile.Find"/> gives the run's own workflow: the file's, or a child run's).</summary>
    public static BuiltWorkflowFile ForRun(RunRecord run)
    {
        BuiltWorkflowFile built;
        if (run.Definition is { } definition)
        {
            built = WorkflowDefinition.Rebuild(definition, run.RunId);
        }
        else if (run.Source is { } source)
        {
            // A run stored before runs kept their workflow's text: its file is all there is.
            built = WorkflowDefinition.Load(source).Built;
        }
        else
        {
            throw new UsageException($"run '{run.RunId}' was not started from a workflow file, so this command cannot rebuild its workflow");
        }

        if (built.Find(run.Workflow) is null) throw new UsageException($"run '{run.RunId}' is of workflow '{run.Workflow}', but its stored file holds '{built.Workflow.Name}'");
        return built;
    }

    /// <summary>A stored run's workflow, or null when it cannot be rebuilt (only reports need it, for agent names).</summary>
    public static BuiltWorkflowFile? TryRebuild(RunRecord run)
    {
        try
        {
            return ForRun(run);
        }
        catch (Exception ex) when (ex is UsageException or InvalidWorkflowFileException)
        {
            return null;
        }
    }
}
