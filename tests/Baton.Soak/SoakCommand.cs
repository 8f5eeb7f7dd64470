using System.Globalization;
using Baton.ClusterHost;
using Baton.CrashHost;
using Baton.Soak.Fuzz;
using Baton.Soak.Soak;

namespace Baton.Soak;

/// <summary>The command line: <c>soak</c> or <c>fuzz</c>, with their options; prints the figures and every failure.</summary>
public static class SoakCommand
{
    private const string Usage = """
        usage: Baton.Soak soak [--seed N] [--kills N] [--parallel N] [--shapes a,b] [--postgres CONN | --sqlite-only] [--max-failures N] [--minutes N]
               Baton.Soak soak --cluster [--seed N] [--kills N] [--workers N] [--runs N] [--shapes a,b] [--redis CONN] [--postgres CONN] [--max-failures N] [--minutes N]
               Baton.Soak fuzz [--seed N] [--inputs N] [--targets a,b] [--timeout-ms N] [--minutes N]
        """;

    /// <summary>Runs the command; 0 when every check held, 1 when one failed, 2 for bad usage.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is not ("soak" or "fuzz"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"unexpected argument '{args[i]}'\n{Usage}");
                return 2;
            }

            var flag = args[i] is "--sqlite-only" or "--cluster";
            values[args[i][2..]] = flag ? "" : i + 1 < args.Length ? args[++i] : null;
        }

        try
        {
            return args[0] == "fuzz" ? await FuzzAsync(values) : values.ContainsKey("cluster") ? await ClusterSoakAsync(values) : await SoakAsync(values);
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"{ex.Message}\n{Usage}");
            return 2;
        }
    }

    private static async Task<int> SoakAsync(Dictionary<string, string?> values)
    {
        Known(values, "seed", "kills", "parallel", "shapes", "postgres", "sqlite-only", "max-failures", "minutes");
        var shapes = values.TryGetValue("shapes", out var s) ? (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : CrashWorkflows.AllShapes.ToArray();
        var unknown = shapes.Where(x => !CrashWorkflows.AllShapes.Contains(x)).ToArray();
        if (unknown.Length > 0 || shapes.Length == 0) throw new FormatException($"--shapes: unknown shape(s) {string.Join(", ", unknown)}; the shapes are {string.Join(", ", CrashWorkflows.AllShapes)}");
        var postgres = values.ContainsKey("sqlite-only") ? null : values.GetValueOrDefault("postgres") ?? Environment.GetEnvironmentVariable(CrashStores.PostgresVariable);
        var options = new SoakOptions
        {
            Seed = Int(values, "seed", new SoakOptions().Seed),
            Kills = Int(values, "kills", 1000),
            Parallel = Int(values, "parallel", 2),
            MaxFailures = Int(values, "max-failures", 20),
            TimeBudget = values.ContainsKey("minutes") ? TimeSpan.FromMinutes(Int(values, "minutes", 1)) : null,
            Shapes = shapes,
            Postgres = string.IsNullOrWhiteSpace(postgres) ? null : postgres,
            Log = Console.Out.WriteLine,
        };
        Console.Out.WriteLine($"soak: seed {options.Seed}, {options.Kills} kills, shapes {string.Join(", ", options.Shapes)}, stores {(options.Postgres is null ? "sqlite" : "sqlite, postgres")}");
        var report = await SoakRunner.RunAsync(options);
        Console.Out.WriteLine(report);
        foreach (var failure in report.Failures) Console.Out.WriteLine("FAILURE " + failure);
        return report.Failures.IsEmpty ? 0 : 1;
    }

    private static async Task<int> ClusterSoakAsync(Dictionary<string, string?> values)
    {
        Known(values, "cluster", "seed", "kills", "workers", "runs", "shapes", "redis", "postgres", "max-failures", "minutes");
        var shapes = values.TryGetValue("shapes", out var s) ? (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : ClusterShapes.All.ToArray();
        var unknown = shapes.Where(x => !ClusterShapes.All.Contains(x)).ToArray();
        if (unknown.Length > 0 || shapes.Length == 0) throw new FormatException($"--shapes: unknown cluster shape(s) {string.Join(", ", unknown)}; the cluster shapes are {string.Join(", ", ClusterShapes.All)}");
        var defaults = new ClusterSoakOptions { Redis = "", Postgres = "" };
        var options = new ClusterSoakOptions
        {
            Seed = Int(values, "seed", defaults.Seed),
            Kills = Int(values, "kills", defaults.Kills),
            Workers = Int(values, "workers", defaults.Workers),
            Runs = Int(values, "runs", defaults.Runs),
            MaxFailures = Int(values, "max-failures", defaults.MaxFailures),
            TimeBudget = values.ContainsKey("minutes") ? TimeSpan.FromMinutes(Int(values, "minutes", 1)) : null,
            Shapes = shapes,
            Redis = values.GetValueOrDefault("redis") ?? Environment.GetEnvironmentVariable("BATON_TEST_REDIS") ?? "",
            Postgres = values.GetValueOrDefault("postgres") ?? Environment.GetEnvironmentVariable(CrashStores.PostgresVariable) ?? "",
            Log = Console.Out.WriteLine,
        };
        if (options.Workers < 2) throw new FormatException("--workers must be at least 2: a kill needs a worker left to take the run over");
        Console.Out.WriteLine($"cluster soak: seed {options.Seed}, {options.Kills} kills, {options.Workers} workers, {options.Runs} runs at once, shapes {string.Join(", ", options.Shapes)}");
        var report = await ClusterSoakRunner.RunAsync(options);
        Console.Out.WriteLine(report);
        foreach (var gaveUp in report.ClientGiveUpMessages) Console.Out.WriteLine("GAVE UP " + gaveUp);
        foreach (var failure in report.Failures) Console.Out.WriteLine("FAILURE " + failure);
        return report.Failures.IsEmpty ? 0 : 1;
    }

    private static async Task<int> FuzzAsync(Dictionary<string, string?> values)
    {
        Known(values, "seed", "inputs", "targets", "timeout-ms", "minutes");
        var defaults = new FuzzOptions();
        var targets = values.TryGetValue("targets", out var t) ? (t ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : FuzzRunner.TargetNames.ToArray();
        var unknown = targets.Where(x => !FuzzRunner.TargetNames.Contains(x)).ToArray();
        if (unknown.Length > 0 || targets.Length == 0) throw new FormatException($"--targets: unknown target(s) {string.Join(", ", unknown)}; the targets are {string.Join(", ", FuzzRunner.TargetNames)}");
        var options = new FuzzOptions
        {
            Seed = Int(values, "seed", defaults.Seed),
            Inputs = Int(values, "inputs", defaults.Inputs),
            Targets = targets,
            Timeout = TimeSpan.FromMilliseconds(Int(values, "timeout-ms", (int)defaults.Timeout.TotalMilliseconds)),
            TimeBudget = values.ContainsKey("minutes") ? TimeSpan.FromMinutes(Int(values, "minutes", 1)) : null,
            Log = Console.Out.WriteLine,
        };
        Console.Out.WriteLine($"fuzz: seed {options.Seed}, {options.Inputs} inputs, targets {string.Join(", ", options.Targets)}, {options.Timeout.TotalMilliseconds} ms per input");
        var report = await FuzzRunner.RunAsync(options);
        Console.Out.WriteLine(report);
        foreach (var failure in report.Failures) Console.Out.WriteLine("FAILURE " + failure);
        return report.Failures.IsEmpty ? 0 : 1;
    }

    private static void Known(Dictionary<string, string?> values, params string[] known)
    {
        foreach (var key in values.Keys)
        {
            if (!known.Contains(key)) throw new FormatException($"unknown option '--{key}'");
        }
    }

    private static int Int(Dictionary<string, string?> values, string name, int fallback)
    {
        if (!values.TryGetValue(name, out var text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < (name == "seed" ? int.MinValue : 1))
            throw new FormatException($"--{name} must be {(name == "seed" ? "an integer" : "a positive integer")}, not '{text}'");
        return n;
    }
}
