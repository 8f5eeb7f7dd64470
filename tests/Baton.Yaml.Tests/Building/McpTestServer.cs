namespace Baton.Yaml.Tests.Building;

/// <summary>The test MCP server (tests/Baton.McpTestServer) that workflow files start as a tool source.</summary>
internal static class McpTestServer
{
    /// <summary>Its entry assembly, built beside this test assembly (same configuration).</summary>
    public static string Path
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory); // tests/Baton.Yaml.Tests/bin/<config>/<tfm>/
            var tests = here.Parent!.Parent!.Parent!.Parent!.FullName;
            return System.IO.Path.Combine(tests, "Baton.McpTestServer", "bin", here.Parent.Name, here.Name, "Baton.McpTestServer.dll");
        }
    }
}
