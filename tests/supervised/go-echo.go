// go-echo serve NAME COUNT | go-echo dial NAME MESSAGE [TIMES]
// A Go server and client of the abstract NAME, as fx-server and fx-client
// are in C.  Go makes its own system calls, past any preload library.
// serve prints "listening pid=N", then for each of COUNT connections reads
// a line, prints "served LINE" and answers "echo LINE".  dial sends
// MESSAGE and prints "reply LINE", or "eof" if the server hung up first,
// or "dial: ERROR"; with TIMES it dials that many times from as many
// goroutines at once, and prints "replies N" for the replies it got.
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

func dialMany(name, message string, times int) int {
	replies := make(chan bool)
	for i := 0; i < times; i++ {
		go func() {
			c, err := net.Dial("unix", "@"+name)
			if err != nil {
				fmt.Println("dial:", err)
				replies <- false
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "%s\n", message)
			line, err := bufio.NewReader(c).ReadString('\n')
			replies <- err == nil && line == "echo "+message+"\n"
		}()
	}
	got := 0
	for i := 0; i < times; i++ {
		if <-replies {
			got++
		}
	}
	fmt.Println("replies", got)
	if got != times {
		return 6
	}
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
	if len(os.Args) == 5 && os.Args[1] == "dial" {
		n, err := strconv.Atoi(os.Args[4])
		if err == nil {
			os.Exit(dialMany(os.Args[2], os.Args[3], n))
		}
	}
	fmt.Fprintln(os.Stderr, "usage: go-echo serve NAME COUNT | go-echo dial NAME MESSAGE")
	os.Exit(2)
}
