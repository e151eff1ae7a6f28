using Microsoft.Build.Utilities;

namespace Optimizer.Build.Tasks.Engine;

/// <summary>The arguments that run one plan: <c>exec "Optimizer.Engine.dll" optimize --plan "x.plan.json"</c>.</summary>
internal static class EngineCommandLine
{
    public static string For(string engineAssembly, string planPath)
    {
        var builder = new CommandLineBuilder();
        builder.AppendSwitch("exec");
        builder.AppendFileNameIfNotNull(engineAssembly);
        builder.AppendSwitch("optimize");
        builder.AppendSwitch("--plan");
        builder.AppendFileNameIfNotNull(planPath);
        return builder.ToString();
    }
}
