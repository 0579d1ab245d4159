using System.Text;
using System.Text.Json.Nodes;
using static System.FormattableString;

namespace Dashboard.Web.Components.Runs;

/// <summary>
/// A plan laid out for an SVG drawing, in layers from left to right. A step's layer is one more than the latest of its
/// dependencies' (the longest path from the steps that wait for nothing); the order inside a layer is chosen by
/// barycentre sweeps, keeping the one that crosses fewest edges. An edge that spans several layers runs through each
/// layer between in a lane of its own, so that it never passes under a box (up to a budget of lanes). A cycle (a bad plan) does not stop the
/// layout: its steps, and the steps after them, are put in a last layer and named in <see cref="Cyclic"/>.
/// </summary>
public sealed class RunGraph
{
    /// <summary>The size of a step's box and the space around boxes, in SVG user units.</summary>
    public const double NodeWidth = 200, NodeHeight = 64, LayerGap = 64, RowGap = 16, Margin = 16;

    // A lane is only a line, so it takes little height; four sweeps (two each way) settle the plans seen in practice.
    // A plan where many steps use many earlier ones would need lanes by the million (200 steps that each use all the
    // steps before them: 1.3 million): past the budget, a long edge goes straight to its step, over what lies between.
    const double LaneHeight = 4;
    const int Sweeps = 4, MaxLanes = 2000;

    RunGraph(IReadOnlyList<RunGraphNode> nodes, IReadOnlyList<RunGraphEdge> edges, int layerCount, IReadOnlyList<string> cyclic,
        double height)
    {
        (Nodes, Edges, LayerCount, Cyclic) = (nodes, edges, layerCount, cyclic);
        Width = layerCount == 0 ? 2 * Margin : 2 * Margin + layerCount * NodeWidth + (layerCount - 1) * LayerGap;
        Height = 2 * Margin + height;
    }

    /// <summary>The steps, in plan order.</summary>
    public IReadOnlyList<RunGraphNode> Nodes { get; }

    /// <summary>One edge per step and dependency.</summary>
    public IReadOnlyList<RunGraphEdge> Edges { get; }

    /// <summary>The number of layers (columns).</summary>
    public int LayerCount { get; }

    /// <summary>Steps in a dependency cycle or after one, all in the last layer; empty for a valid plan.</summary>
    public IReadOnlyList<string> Cyclic { get; }

    /// <summary>The size of the whole drawing, for the SVG's viewBox.</summary>
    public double Width { get; }

    /// <inheritdoc cref="Width"/>
    public double Height { get; }

    /// <summary>Lays out <paramref name="plan"/>, a plan in the plan format; null or a plan without steps makes an empty graph.</summary>
    public static RunGraph FromPlan(JsonObject? plan)
    {
        var steps = PlanSteps.Read(plan);
        var index = steps.Select((step, i) => (step.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var (layerOf, cyclic) = Layers(steps, index);
        var layers = Enumerable.Range(0, steps.Count == 0 ? 0 : layerOf.Max() + 1).Select(_ => new List<Slot>()).ToArray();
        var boxes = layerOf.Select((layer, i) => new Slot(i, layer)).ToArray();
        foreach (var box in boxes)
            layers[box.Layer].Add(box);
        var chains = new List<List<Slot>>();
        var lanesLeft = MaxLanes;
        for (var to = 0; to < steps.Count; to++)
            foreach (var from in steps[to].Dependencies)
                chains.Add(Chain(boxes[index[from]], boxes[to], layers, ref lanesLeft));
        Order(layers);
        var height = Place(layers);
        return new RunGraph(
            [.. steps.Select((step, i) => new RunGraphNode(step.Id, step.Tool, step.IsForEach, layerOf[i], X(layerOf[i]), boxes[i].Top))],
            [.. chains.Select(chain => new RunGraphEdge(steps[chain[0].Step].Id, steps[chain[^1].Step].Id, PathOf(chain)))],
            layers.Length, [.. cyclic.Select(i => steps[i].Id)], height);
    }

    // Kahn's algorithm: a step is placed once all its dependencies are; what is never placed is in or after a cycle.
    static (int[] Layer, List<int> Cyclic) Layers(IReadOnlyList<PlanStepInfo> steps, Dictionary<string, int> index)
    {
        var waiting = steps.Select(step => step.Dependencies.Count).ToArray();
        var dependents = steps.Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < steps.Count; i++)
            foreach (var dependency in steps[i].Dependencies)
                dependents[index[dependency]].Add(i);
        var layer = new int[steps.Count];
        var ready = new Queue<int>(Enumerable.Range(0, steps.Count).Where(i => waiting[i] == 0));
        var placed = new List<int>();
        while (ready.TryDequeue(out var step))
        {
            placed.Add(step);
            foreach (var dependent in dependents[step])
            {
                layer[dependent] = Math.Max(layer[dependent], layer[step] + 1);
                if (--waiting[dependent] == 0)
                    ready.Enqueue(dependent);
            }
        }
        var cyclic = Enumerable.Range(0, steps.Count).Where(i => waiting[i] > 0).ToList();
        var last = placed.Select(i => layer[i]).DefaultIfEmpty(-1).Max() + 1;
        foreach (var i in cyclic)
            layer[i] = last;
        return (layer, cyclic);
    }

    // An edge as the slots it goes through: its two boxes and, while the budget lasts, a lane in each layer between them.
    static List<Slot> Chain(Slot from, Slot to, List<Slot>[] layers, ref int lanesLeft)
    {
        List<Slot> chain = [from];
        var between = to.Layer - from.Layer - 1;
        if (between > 0 && between <= lanesLeft)
        {
            lanesLeft -= between;
            for (var layer = from.Layer + 1; layer < to.Layer; layer++)
            {
                var lane = new Slot(-1, layer);
                layers[layer].Add(lane);
                chain.Add(lane);
            }
        }
        chain.Add(to);
        // Only an edge between neighbouring layers has a say in their order: not one inside the last layer of a
        // cycle, nor one that goes straight over layers.
        if (chain.Count > 2 || to.Layer == from.Layer + 1)
            for (var i = 1; i < chain.Count; i++)
            {
                chain[i - 1].Down.Add(chain[i]);
                chain[i].Up.Add(chain[i - 1]);
            }
        return chain;
    }

    // Sweeps down (each slot moves to the mean position of its neighbours above) and up, keeping the best order seen.
    static void Order(List<Slot>[] layers)
    {
        Renumber(layers);
        var best = layers.Select(layer => layer.ToList()).ToArray();
        var fewest = Crossings(layers);
        for (var sweep = 0; sweep < Sweeps && fewest > 0; sweep++)
        {
            var down = sweep % 2 == 0;
            for (var l = down ? 1 : layers.Length - 2; l >= 0 && l < layers.Length; l += down ? 1 : -1)
            {
                layers[l] = [.. layers[l].OrderBy(slot => Barycentre(down ? slot.Up : slot.Down, slot.Order))];
                Renumber([layers[l]]);
            }
            var crossings = Crossings(layers);
            if (crossings < fewest)
                (fewest, best) = (crossings, layers.Select(layer => layer.ToList()).ToArray());
        }
        best.CopyTo(layers, 0);
        Renumber(layers);
    }

    static double Barycentre(List<Slot> neighbours, int current) => neighbours.Count == 0 ? current : neighbours.Average(n => n.Order);

    static void Renumber(IEnumerable<List<Slot>> layers)
    {
        foreach (var layer in layers)
            for (var i = 0; i < layer.Count; i++)
                layer[i].Order = i;
    }

    // Two segments between a layer and the next cross when their ends are in opposite orders: taken in the order of
    // their upper ends, each crosses the segments seen before it whose lower end is further down, which a Fenwick
    // tree over the lower layer counts in O(log n), so that wide layers cost no more than E log E.
    static long Crossings(List<Slot>[] layers)
    {
        var count = 0L;
        for (var l = 0; l + 1 < layers.Length; l++)
        {
            var below = new int[layers[l + 1].Count + 1];
            var seen = 0;
            foreach (var lower in layers[l].SelectMany(slot => slot.Down.Select(next => next.Order).Order()))
            {
                var notAfter = 0;
                for (var i = lower + 1; i > 0; i -= i & -i)
                    notAfter += below[i];
                count += seen++ - notAfter;
                for (var i = lower + 1; i < below.Length; i += i & -i)
                    below[i]++;
            }
        }
        return count;
    }

    // Each layer is a column of slots, centred on the tallest; returns the tallest's height.
    static double Place(List<Slot>[] layers)
    {
        static double Extent(List<Slot> layer) => layer.Sum(slot => slot.Height) + RowGap * Math.Max(0, layer.Count - 1);
        var tallest = layers.Select(Extent).DefaultIfEmpty(0).Max();
        foreach (var layer in layers)
        {
            var top = Margin + (tallest - Extent(layer)) / 2;
            foreach (var slot in layer)
            {
                slot.Top = top;
                top += slot.Height + RowGap;
            }
        }
        return tallest;
    }

    static double X(int layer) => Margin + layer * (NodeWidth + LayerGap);

    // Curves in the gaps between layers, level through each lane; the curves leave and arrive level, so arrowheads
    // point along the layers.
    static string PathOf(List<Slot> chain)
    {
        var (from, to) = (chain[0], chain[^1]);
        var (x, y) = (X(from.Layer) + NodeWidth, from.Middle);
        if (from.Layer == to.Layer) // in a cycle's layer: out of the right side and back into it, a loop when from is to
        {
            var (endX, endY) = (X(to.Layer) + NodeWidth, to.Top + NodeHeight * 2 / 3);
            y = from.Top + NodeHeight / 3;
            return Invariant($"M{x},{y} C{x + LayerGap / 2},{y} {endX + LayerGap / 2},{endY} {endX},{endY}");
        }
        var path = new StringBuilder(Invariant($"M{x},{y}"));
        foreach (var slot in chain.Skip(1))
        {
            var (nextX, nextY) = (X(slot.Layer), slot.Middle);
            var bend = (nextX - x) / 2;
            path.Append(Invariant($" C{x + bend},{y} {nextX - bend},{nextY} {nextX},{nextY}"));
            (x, y) = (nextX, nextY);
            if (slot.Step < 0)
                path.Append(Invariant($" H{x += NodeWidth}"));
        }
        return path.ToString();
    }

    // A place in a layer: a step's box, or a lane a longer edge runs through (Step -1).
    sealed class Slot(int step, int layer)
    {
        public int Step { get; } = step;
        public int Layer { get; } = layer;
        public List<Slot> Up { get; } = [];
        public List<Slot> Down { get; } = [];
        public int Order { get; set; }
        public double Top { get; set; }
        public double Height => Step < 0 ? LaneHeight : NodeHeight;
        public double Middle => Top + Height / 2;
    }
}
