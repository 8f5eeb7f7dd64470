using System.Diagnostics;

namespace Baton.TestSupport;

/// <summary>
/// Starts the real <c>baton</c> command: <c>dotnet</c> and the Baton.Cli.dll built beside the tests (same
/// configuration), or the executable BATON_TEST_EXECUTABLE names (the native build, docs/cli.md), so the same tests
/// check either build.
/// </summary>
internal static class BatonCli
{
    /// <summary>The command's entry assembly, built beside the tests.</summary>
    public static string Dll
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory); // tests/<project>/bin/<config>/<tfm>/
            var root = here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "src", "Baton.Cli", "bin", here.Parent.Name, here.Name, "Baton.Cli.dll");
        }
    }

    /// <summary>The program that runs the command and the arguments that come before the command's own.</summary>
    public static (string Program, string[] Prefix) Launcher =>
        Environment.GetEnvironmentVariable("BATON_TEST_EXECUTABLE") is { Length: > 0 } executable ? (executable, []) : ("dotnet", [Dll]);

    /// <summary>How to start the command with <paramref name="args"/>, its output redirected and no store or cluster from the environment.</summary>
    public static ProcessStartInfo StartInfo(params IEnumerable<string> args)
    {
        var (program, prefix) = Launcher;
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in prefix.Concat(args)) info.ArgumentList.Add(arg);
        info.Environment.Remove("BATON_STORE");
        info.Environment.Remove("BATON_CLUSTER");
        return info;
    }
}
