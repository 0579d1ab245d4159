using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpOrch.Core.Runs.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunTraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TraceParent",
                table: "runs",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TraceParent",
                table: "runs");
        }
    }
}
