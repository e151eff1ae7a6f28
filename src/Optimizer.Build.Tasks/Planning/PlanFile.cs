using System.Text;

namespace Optimizer.Build.Tasks.Planning;

/// <summary>Writes plan files only when their text changed, so their timestamps mean something.</summary>
internal static class PlanFile
{
    private static readonly UTF8Encoding Utf8 = new(false);

    public static void Write(OptimizationPlan plan)
    {
        var json = PlanJson.Serialize(plan);
        if (File.Exists(plan.PlanPath) && File.ReadAllText(plan.PlanPath, Utf8) == json)
            return;
        Directory.CreateDirectory(plan.OutputDirectory);
        var temp = plan.PlanPath + ".tmp";
        File.WriteAllText(temp, json, Utf8);
        if (File.Exists(plan.PlanPath))
            File.Delete(plan.PlanPath);
        File.Move(temp, plan.PlanPath);
    }
}
