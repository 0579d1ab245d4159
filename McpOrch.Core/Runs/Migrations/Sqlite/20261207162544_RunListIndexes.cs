using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpOrch.Core.Runs.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_runs_CreatedAt",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_Owner_CreatedAt",
                table: "runs");

            migrationBuilder.CreateIndex(
                name: "IX_runs_CreatedAt_Id",
                table: "runs",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_Owner_CreatedAt_Id",
                table: "runs",
                columns: new[] { "Owner", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_State_CreatedAt_Id",
                table: "runs",
                columns: new[] { "State", "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_runs_CreatedAt_Id",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_Owner_CreatedAt_Id",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "IX_runs_State_CreatedAt_Id",
                table: "runs");

            migrationBuilder.CreateIndex(
                name: "IX_runs_CreatedAt",
                table: "runs",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_runs_Owner_CreatedAt",
                table: "runs",
                columns: new[] { "Owner", "CreatedAt" });
        }
    }
}
