// go-echo serve NAME COUNT | go-echo dial NAME MESSAGE
// A Go server and client of the abstract NAME, as fx-server and fx-client
// are in C.  Go makes its own system calls, past any preload library.
// serve prints "listening pid=N", then for each of COUNT connections reads
// a line, prints "served LINE" and answers "echo LINE".  dial sends
// MESSAGE and prints "reply LINE", or "eof" if the server hung up first,
// or "dial: ERROR".
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

func serve(name string, count int) int {
	l, err := net.Listen("unix", "@"+name)
	if err != nil {
		fmt.Println("listen:", err)
		return 3
	}
	fmt.Printf("listening pid=%d\n", os.Getpid())
	for i := 0; i < count; i++ {
		c, err := l.Accept()
		if err != nil {
			fmt.Println("accept:", err)
			return 4
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			fmt.Println("eof")
		} else {
			line = strings.TrimSuffix(line, "\n")
			fmt.Println("served", line)
			fmt.Fprintf(c, "echo %s\n", line)
		}
		c.Close()
	}
	return 0
}

func dial(name, message string) int {
	c, err := net.Dial("unix", "@"+name)
	if err != nil {
		fmt.Println("dial:", err)
		return 5
	}
	fmt.Println("connected")
	fmt.Fprintf(c, "%s\n", message)
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fmt.Println("eof")
		return 6
	}
	fmt.Println("reply", strings.TrimSuffix(line, "\n"))
	return 0
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "serve" {
		n, err := strconv.Atoi(os.Args[3])
		if err == nil {
			os.Exit(serve(os.Args[2], n))
		}
	}
	if len(os.Args) == 4 && os.Args[1] == "dial" {
		os.Exit(dial(os.Args[2], os.Args[3]))
	}
	fmt.Fprintln(os.Stderr, "usage: go-echo serve NAME COUNT | go-echo dial NAME MESSAGE")
	os.Exit(2)
}
